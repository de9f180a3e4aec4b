"""Resources of a dataset: uploaded files (tables parsed into the table store) and API endpoints.

Written like ``services`` (permission → validation → ``transaction.atomic()`` → write →
``audit_record`` in that transaction) and re-exported there. Invariants:

- a file is stored only after it has been checked: a table must parse and, unless it comes
  from the safe publication flow (``privacy_checked``), hold no personal information that the
  release policy would transform — on creation and on replacement alike;
- the ``TableColumn`` and ``TableRow`` rows of a resource always describe its current data:
  replacing the data replaces them in the same transaction, and a refused change writes nothing;
- a replaced or deleted file leaves storage only once the transaction has committed.

The CKAN datastore writes (``tablestore``) store tables and refuse personal data with the
helpers here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ceyuan.audit.services import audit_record, diff

from . import labels, permissions, tabular
from .models import Dataset, Resource, TableColumn, TableRow
from .privacy import Policy, load_policy, scan_table

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def _schema_columns(schema: Any) -> list[tabular.Column]:
    if not schema:
        return []
    if not isinstance(schema, list):
        raise ValidationError({"schema": _("The schema must be a list of fields.")})
    columns = []
    types = set(TableColumn.Type.values)
    for position, item in enumerate(schema, start=1):
        if not isinstance(item, dict) or (not item.get("name") and not item.get("id")):
            raise ValidationError(
                {"schema": _("Field %(n)s of the schema has no name.") % {"n": position}}
            )
        type_ = item.get("type", "string")
        if type_ not in types:
            raise ValidationError(
                {
                    "schema": _("Field “%(name)s” has unknown type “%(type)s”.")
                    % {"name": item.get("name") or item.get("id"), "type": type_}
                }
            )
        columns.append(
            tabular.Column(
                name=str(item.get("name") or item.get("id")),
                type=type_,
                required=bool(item.get("required", False)),
                description=str(item.get("description", "")),
            )
        )
    return columns


def table_error_messages(filename: str, error: tabular.TableError) -> list[str]:
    """The parser's problems, translated, each naming the file (and row and field)."""

    def problem(template: str, params: dict[str, Any]) -> str:
        return _(template) % params if params else _(template)

    messages = [
        _("%(file)s: %(problem)s")
        % {"file": filename, "problem": problem(error.template, error.params)}
    ]
    for row_error in error.errors:
        values = {
            "row": row_error.row,
            "field": row_error.field,
            "problem": problem(row_error.template, row_error.params),
        }
        text = (
            _("row %(row)s, field “%(field)s”: %(problem)s") % values
            if row_error.field
            else _("row %(row)s: %(problem)s") % values
        )
        messages.append(_("%(file)s: %(problem)s") % {"file": filename, "problem": text})
    return messages


@dataclass(frozen=True)
class _Upload:
    """A file that has passed the checks, ready to store."""

    content: bytes
    filename: str
    format: str
    parsed: tabular.ParsedTable | None


def _check_upload(
    *,
    dataset: Dataset,
    content: bytes,
    filename: str,
    format: str,
    schema: Any,
    privacy_checked: bool,
) -> _Upload:
    """Parse a tabular file (refusing personal data) or take any other file as it is."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError({"upload": _("The file is larger than 200 MB.")})
    fmt = tabular.detect_format(filename, format)
    if not fmt:
        other = (format or filename.rsplit(".", 1)[-1] if "." in filename else format).upper()
        return _Upload(content=content, filename=filename, format=other[:20], parsed=None)
    columns = _schema_columns(schema)
    try:
        parsed = tabular.parse_table(
            content, filename=filename, declared_format=fmt, schema=columns
        )
    except tabular.TableError as exc:
        raise ValidationError({"upload": table_error_messages(filename, exc)}) from exc
    if not privacy_checked:
        _refuse_personal_data(parsed, dataset, filename)
    return _Upload(content=content, filename=filename, format=fmt, parsed=parsed)


def _set_file(resource: Resource, upload: _Upload) -> None:
    """The file fields of ``resource`` from a checked upload (the file itself is saved later)."""
    resource.kind = Resource.Kind.FILE
    resource.url = ""
    resource.format = upload.format
    resource.size = len(upload.content)
    parsed = upload.parsed
    resource.encoding = parsed.encoding if parsed else ""
    resource.row_count = len(parsed.rows) if parsed else 0
    resource.datastore_active = parsed is not None


def _store_table(resource: Resource, parsed: tabular.ParsedTable) -> None:
    _store_columns(resource, parsed.columns)
    _store_rows(resource, parsed.rows, first=1)


def _store_columns(
    resource: Resource,
    columns: Sequence[tabular.Column],
    *,
    primary_key: Sequence[str] = (),
    first: int = 0,
) -> None:
    """The data dictionary entries of ``columns``, at positions from ``first``."""
    TableColumn.objects.bulk_create(
        [
            TableColumn(
                resource=resource,
                position=i,
                name=c.name,
                type=c.type,
                required=c.required,
                description=c.description,
                primary_key=c.name in primary_key,
            )
            for i, c in enumerate(columns, first)
        ]
    )


def _store_rows(resource: Resource, rows: Sequence[dict[str, Any]], *, first: int) -> None:
    """``rows`` as table rows numbered from ``first`` (the number is CKAN's ``_id``)."""
    TableRow.objects.bulk_create(
        [TableRow(resource=resource, number=n, data=row) for n, row in enumerate(rows, first)],
        batch_size=2000,
    )


def _drop_table(resource: Resource) -> None:
    TableRow.objects.filter(resource=resource).delete()
    TableColumn.objects.filter(resource=resource).delete()


def _delete_file_on_commit(resource: Resource, name: str) -> None:
    if name:
        storage = resource.file.storage
        transaction.on_commit(lambda: storage.delete(name))


def _touch(dataset: Dataset) -> None:
    Dataset.objects.filter(pk=dataset.pk).update(updated_at=timezone.now())


def _state(resource: Resource) -> dict[str, Any]:
    return {
        "name": resource.name,
        "description": resource.description,
        "kind": resource.kind,
        "format": resource.format,
        "url": resource.url,
        "file": resource.file.name if resource.file else "",
        "size": resource.size,
        "rows": resource.row_count,
    }


def resource_create(
    *,
    actor: Any,
    dataset: Dataset,
    name: str = "",
    content: bytes | None = None,
    filename: str = "",
    url: str = "",
    format: str = "",
    description: str = "",
    schema: Any = None,
    privacy_checked: bool = False,
) -> Resource:
    """Add an uploaded file (tables are parsed into the table store) or an API endpoint.

    A table holding personal information is refused here: it must go through the safe
    publication flow (``releases.release_create``), which hands its processed file back with
    ``privacy_checked=True``."""
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("You cannot add resources to this dataset."))
    if content is None and not url:
        raise ValidationError({"upload": _("Upload a file or give an API endpoint URL.")})
    resource = Resource(
        dataset=dataset,
        name=(name or filename or url)[:200],
        description=description,
        kind=Resource.Kind.API,
        url=url if content is None else "",
        version=dataset.versions.filter(version=dataset.version).first(),
    )
    upload = None
    if content is not None:
        upload = _check_upload(
            dataset=dataset,
            content=content,
            filename=filename,
            format=format,
            schema=schema,
            privacy_checked=privacy_checked,
        )
        _set_file(resource, upload)
    else:
        resource.format = (format or "API").upper()[:20]
        resource.full_clean(exclude=["file", "version", "dataset"])
    with transaction.atomic():
        if upload is not None:
            resource.file.save(filename or "upload.bin", ContentFile(upload.content), save=False)
        resource.save()
        if upload is not None and upload.parsed is not None:
            _store_table(resource, upload.parsed)
        _touch(dataset)
        audit_record(
            actor=actor,
            action="opendata.resource.create",
            target=resource,
            changes={
                "dataset": dataset.name,
                "format": resource.format,
                "rows": resource.row_count,
            },
        )
    return resource


def resource_update(
    *,
    actor: Any,
    resource: Resource,
    name: str | None = None,
    description: str | None = None,
    format: str | None = None,
    url: str | None = None,
    content: bytes | None = None,
    filename: str = "",
    schema: Any = None,
) -> Resource:
    """Change a resource's metadata, or replace its data with a new file or API endpoint.

    ``None`` leaves a field as it is. A new file goes through the checks of
    ``resource_create`` (parsing, size, and the refusal of personal data) and replaces the
    table rows and data dictionary; a new URL turns the resource into an API endpoint (a file's
    table goes with the file; an endpoint's table, written through the datastore API, stays).
    The format of a parsed table comes from its file, so it changes only with a new file."""
    dataset = resource.dataset
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("You cannot change the resources of this dataset."))
    if content is not None and url:
        raise ValidationError(
            {"url": _("Give either a new file or an API endpoint URL, not both.")}
        )
    before = _state(resource)
    old_file = resource.file.name if resource.file else ""
    upload = None
    to_endpoint = content is None and url is not None and url != resource.url
    from_file = resource.kind == Resource.Kind.FILE
    try:
        if name is not None:
            resource.name = name[:200]
        if description is not None:
            resource.description = description
        if content is not None:
            upload = _check_upload(
                dataset=dataset,
                content=content,
                filename=filename,
                format=format or "",
                schema=schema,
                privacy_checked=False,
            )
            _set_file(resource, upload)
            resource.version = dataset.versions.filter(version=dataset.version).first()
        elif to_endpoint:
            if not url:
                raise ValidationError({"url": _("Upload a file or give an API endpoint URL.")})
            resource.kind = Resource.Kind.API
            resource.url = url
            resource.format = (format or "API").upper()[:20]
            if from_file:
                resource.size = resource.row_count = 0
                resource.encoding = ""
                resource.datastore_active = False
                resource.file = None  # type: ignore[assignment]
        elif format is not None and format.strip().upper() != resource.format:
            if resource.datastore_active and from_file:
                raise ValidationError(
                    {
                        "format": _(
                            "The format of a table comes from its file; upload a new file to "
                            "change it."
                        )
                    }
                )
            resource.format = format.strip().upper()[:20]
        resource.full_clean(exclude=["file", "version", "dataset"])
    except ValidationError:
        resource.refresh_from_db()
        raise
    with transaction.atomic():
        if upload is not None:
            resource.file.save(filename or "upload.bin", ContentFile(upload.content), save=False)
        resource.save()
        if upload is not None or (to_endpoint and from_file):
            _drop_table(resource)
            if upload is not None and upload.parsed is not None:
                _store_table(resource, upload.parsed)
        _touch(dataset)
        changes = diff(before, _state(resource))
        if changes:
            audit_record(
                actor=actor,
                action="opendata.resource.update",
                target=resource,
                changes={"dataset": dataset.name, **changes},
            )
        if old_file and old_file != (resource.file.name if resource.file else ""):
            _delete_file_on_commit(resource, old_file)
    return resource


def resource_delete(*, actor: Any, resource: Resource) -> None:
    """Remove a resource with its table rows and data dictionary; its file leaves storage
    after the commit. Access-log entries keep the dataset and lose the resource link."""
    dataset = resource.dataset
    if not permissions.can_edit_dataset(actor, dataset):
        raise PermissionDenied(_("You cannot change the resources of this dataset."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="opendata.resource.delete",
            target=resource,
            changes={"dataset": dataset.name, **_state(resource)},
        )
        _delete_file_on_commit(resource, resource.file.name if resource.file else "")
        _drop_table(resource)
        resource.delete()
        _touch(dataset)


# --- the personal-data check -----------------------------------------


@lru_cache(maxsize=4)
def _load_policy(path: str) -> Policy:
    return load_policy(path)


def release_policy() -> Policy:
    """The release policy file named by ``CEYUAN_PRIVACY_POLICY`` (parsed once per path)."""
    return _load_policy(str(settings.CEYUAN_PRIVACY_POLICY))


def table_frame(parsed: tabular.ParsedTable) -> pd.DataFrame:
    """The table as a DataFrame, each column of its type. Integer columns are pandas' nullable
    integers: with the default float64 a column with an empty cell would turn an 18-digit ID
    number into 1.1010519900307124e+17, which the privacy engine cannot recognise."""
    names = [c.name for c in parsed.columns]
    frame = pd.DataFrame([[row.get(n) for n in names] for row in parsed.rows], columns=names)
    for column in parsed.columns:
        if column.type == "integer":
            frame[column.name] = pd.array(
                [row.get(column.name) for row in parsed.rows], dtype="Int64"
            )
    return frame


def _refuse_personal_data(
    parsed: tabular.ParsedTable, dataset: Dataset, filename: str, *, field: str = "upload"
) -> None:
    """Refuse a table in which the privacy engine finds personal information that the release
    policy would transform for this dataset (what the policy keeps as-is, such as unified social
    credit codes, does not count). The error is reported under ``field``."""
    policy = release_policy()
    scan = scan_table(table_frame(parsed), min_confidence=policy.min_confidence)
    rule = policy.rule_for(dataset.opening_level, dataset.security_grade)
    found: dict[str, int] = {}
    for cell in scan.findings:
        kind = cell.finding.type
        action = rule.actions.get(kind)
        if not rule.allowed or action is None or action.name != "keep":
            found[kind] = found.get(kind, 0) + 1
    if found:
        summary = _(", ").join(  # a list separator: “、” in Chinese
            f"{labels.personal_data_kind(kind)} × {count}" for kind, count in sorted(found.items())
        )
        raise ValidationError(
            {
                field: _(
                    "%(file)s contains personal information (%(found)s). Publish it through "
                    "the safe publication flow, which de-identifies it first."
                )
                % {"file": filename, "found": summary}
            }
        )
