"""Writes to the table store through CKAN's datastore API: define or extend a table, insert,
upsert or update rows by primary key, delete rows or drop the table.

Written like ``resources`` (permission → validation → ``transaction.atomic()`` → write →
``audit_record`` in that transaction), with its helpers for storing a table and refusing
personal data. Invariants:

- only a table that is a resource's own data is written here: the table of an uploaded file
  describes that file, so it changes only with a new file (``resource_update``);
- every value is converted to its column's type, and every new or changed row passes the same
  refusal of personal data as an upload, before anything is written: a refused batch writes
  nothing;
- a row keeps its number (CKAN's ``_id``) for life: an update changes its data only, an insert
  takes the numbers after the highest, so ``datastore_search`` keeps its order;
- the fields of a primary key hold a value in every row, and no two rows share a key;
- writes to one table are serialised by a lock on its resource's row (PostgreSQL; SQLite
  writes one transaction at a time anyway).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Mod
from django.utils.translation import gettext as _

from ceyuan.audit.services import audit_record

from . import permissions, selectors, tablekeys, tabular
from .models import Resource, TableColumn, TableRow
from .privacy import tables as privacy_tables
from .resources import _drop_table, _refuse_personal_data, _store_columns, _store_rows, _touch

METHODS = ("insert", "upsert", "update")
MAX_RECORDS = 10_000  # records per call; more go in further calls

Key = tuple[Any, ...]


@dataclass(frozen=True)
class TableWrite:
    """What a write stored: the resource, and the rows it inserted or changed, with ``_id``."""

    resource: Resource
    records: list[dict[str, Any]]


def datastore_create(
    *,
    actor: Any,
    resource: Resource,
    columns: Sequence[tabular.Column],
    records: Sequence[Mapping[str, Any]] = (),
    primary_key: Sequence[str] | None = None,
) -> TableWrite:
    """Give ``resource`` a table, or extend the one it has, as CKAN does: fields it lacks are
    added (a field keeps its type), ``records`` are inserted, and ``primary_key``, when given,
    replaces the key (``[]`` removes it; the rows already stored must fit the new key)."""
    _check_writable(actor, resource)
    _check_columns(columns)
    dataset = resource.dataset
    with transaction.atomic():
        _lock(resource)
        existing = list(resource.columns.all()) if resource.datastore_active else []
        table, added = _merge_columns(existing, columns)
        if not table:
            raise ValidationError({"fields": _("Give the table at least one field.")})
        old_key = [c.name for c in existing if c.primary_key]
        key = old_key if primary_key is None else list(dict.fromkeys(primary_key))
        names = {c.name for c in table}
        for name in key:
            if name not in names:
                raise ValidationError(
                    {"primary_key": _("Field “%(name)s” is not in the table.") % {"name": name}}
                )
        if existing and key and key != old_key:
            _check_stored_keys(resource, key)
        _none_changed, inserted = _apply(
            resource=resource, columns=table, primary_key=key, records=records, method="insert"
        )
        _refuse_personal_rows(resource, table, inserted)
        if not existing:
            _drop_table(resource)  # an inactive table has no rows; this keeps it that way
        first = max((c.position for c in existing), default=-1) + 1
        _store_columns(resource, added, primary_key=key, first=first)
        if existing and key != old_key:
            TableColumn.objects.filter(resource=resource).update(primary_key=False)
            TableColumn.objects.filter(resource=resource, name__in=key).update(primary_key=True)
        stored = _append(resource, inserted)
        _refuse_names_columns(resource, table, field="records")
        resource.datastore_active = True
        _save_counts(resource)
        audit_record(
            actor=actor,
            action="opendata.datastore.create",
            target=resource,
            changes={
                "dataset": dataset.name,
                "fields": [c.name for c in added],
                "primary_key": key,
                "inserted": len(stored),
            },
        )
    return TableWrite(resource=resource, records=stored)


def datastore_upsert(
    *,
    actor: Any,
    resource: Resource,
    records: Sequence[Mapping[str, Any]],
    method: str = "upsert",
) -> TableWrite:
    """Write ``records`` into the table of ``resource``: ``insert`` adds rows (a key already
    present is refused), ``update`` changes the fields sent of the rows with the same primary
    key (a key not present is refused), ``upsert`` updates or inserts. Records apply in order,
    so a later record with the same key changes what an earlier one wrote."""
    _check_writable(actor, resource)
    if method not in METHODS:
        raise ValidationError(
            {
                "method": _("Unknown method “%(method)s”: use insert, upsert or update.")
                % {"method": method}
            }
        )
    dataset = resource.dataset
    with transaction.atomic():
        _lock(resource)
        stored_columns = _table_columns(resource)
        key = [c.name for c in stored_columns if c.primary_key]
        if method != "insert" and not key and any("_id" not in r for r in records):
            raise ValidationError(
                {
                    "method": _(
                        "The table has no primary key, so “%(method)s” matches rows by “_id” "
                        "only: send each record's _id, or give the table a key with "
                        "datastore_create."
                    )
                    % {"method": method}
                }
            )
        if not records:
            return TableWrite(resource=resource, records=[])  # nothing to write or to log
        columns = [_column(c) for c in stored_columns]
        updated, inserted = _apply(
            resource=resource, columns=columns, primary_key=key, records=records, method=method
        )
        _refuse_personal_rows(resource, columns, [r.data for r in updated] + inserted)
        TableRow.objects.bulk_update(updated, ["data"], batch_size=500)
        stored = [{"_id": r.number, **r.data} for r in updated] + _append(resource, inserted)
        _refuse_names_columns(resource, columns, field="records")
        _save_counts(resource)
        audit_record(
            actor=actor,
            action="opendata.datastore.upsert",
            target=resource,
            changes={
                "dataset": dataset.name,
                "method": method,
                "inserted": len(inserted),
                "updated": len(updated),
            },
        )
    return TableWrite(resource=resource, records=stored)


def datastore_delete(
    *, actor: Any, resource: Resource, filters: Mapping[str, Any] | None = None
) -> int:
    """Delete the rows that match ``filters`` (as ``datastore_search`` matches them; ``{}``
    matches every row), or, without filters, drop the table: the resource then has none.
    Returns the number of rows deleted."""
    _check_writable(actor, resource)
    dataset = resource.dataset
    with transaction.atomic():
        _lock(resource)
        _require_table(resource)
        rows = TableRow.objects.filter(resource=resource)
        changes: dict[str, Any] = {"dataset": dataset.name}
        if filters is None:
            deleted = rows.count()
            _drop_table(resource)
            resource.datastore_active = False
            changes["table"] = "dropped"
        else:
            total = rows.count()
            try:
                page = selectors.table_query(
                    resource, filters=dict(filters), fields=["_id"], limit=total, offset=0
                )
            except selectors.TableQueryError as exc:
                raise ValidationError({"filters": str(exc)}) from None
            numbers = [record["_id"] for record in page.records]
            for start in range(0, len(numbers), 500):
                rows.filter(number__in=numbers[start : start + 500]).delete()
            deleted = len(numbers)
            changes["filters"] = dict(filters)
            _refuse_names_columns(resource, [_column(c) for c in _table_columns(resource)])
        _save_counts(resource)
        changes["deleted"] = deleted
        audit_record(
            actor=actor, action="opendata.datastore.delete", target=resource, changes=changes
        )
    return deleted


# --- checks -----------------------------------------


def _check_writable(actor: Any, resource: Resource) -> None:
    if not permissions.can_edit_dataset(actor, resource.dataset):
        raise PermissionDenied(_("You cannot change the resources of this dataset."))
    if resource.kind == Resource.Kind.FILE:
        raise ValidationError(
            {
                "resource": _(
                    "The table of “%(name)s” comes from its uploaded file; upload a new file to "
                    "change it."
                )
                % {"name": resource.name}
            }
        )


def _lock(resource: Resource) -> None:
    """Lock the resource's row until the commit, and read its state under the lock."""
    list(Resource.objects.select_for_update().filter(pk=resource.pk).values_list("pk"))
    resource.refresh_from_db(fields=["datastore_active", "row_count"])


def _require_table(resource: Resource) -> None:
    if not resource.datastore_active:
        raise ValidationError(
            {
                "resource": _("“%(name)s” has no table yet; create one with datastore_create.")
                % {"name": resource.name}
            }
        )


def _table_columns(resource: Resource) -> list[TableColumn]:
    _require_table(resource)
    return list(resource.columns.all())


def _check_columns(columns: Sequence[tabular.Column]) -> None:
    """Field names as an uploaded table's header allows them, each once, of a known type."""
    types = set(TableColumn.Type.values)
    seen: set[str] = set()
    for column in columns:
        name = column.name
        if not name:
            raise ValidationError({"fields": _("A field has no name.")})
        problem = tabular.name_problem(name)
        if problem is not None:
            raise ValidationError({"fields": _(problem) % {"name": name}})
        if name in seen:
            raise ValidationError({"fields": _("Field “%(name)s” appears twice.") % {"name": name}})
        if column.type not in types:
            raise ValidationError(
                {
                    "fields": _("Field “%(name)s” has unknown type “%(type)s”.")
                    % {"name": name, "type": column.type}
                }
            )
        seen.add(name)


def _column(column: TableColumn) -> tabular.Column:
    return tabular.Column(
        name=column.name,
        type=column.type,
        required=column.required,
        description=column.description,
    )


def _merge_columns(
    existing: Sequence[TableColumn], given: Sequence[tabular.Column]
) -> tuple[list[tabular.Column], list[tabular.Column]]:
    """(every column of the table, the columns to add); a field keeps its type."""
    by_name = {c.name: c for c in existing}
    added = []
    for column in given:
        old = by_name.get(column.name)
        if old is None:
            added.append(column)
        elif old.type != column.type:
            raise ValidationError(
                {
                    "fields": _("Field “%(name)s” holds %(old)s values; it cannot become %(new)s.")
                    % {
                        "name": column.name,
                        "old": TableColumn.Type(old.type).label,
                        "new": TableColumn.Type(column.type).label,
                    }
                }
            )
    return [_column(c) for c in existing] + added, added


def _check_stored_keys(resource: Resource, key: Sequence[str]) -> None:
    """The rows already stored fit a new primary key: each has a value, none shares one."""
    seen: dict[Key, int] = {}
    for number, data in TableRow.objects.filter(resource=resource).values_list("number", "data"):
        value = _key(data, key)
        if None in value:
            raise ValidationError(
                {
                    "primary_key": _("Row %(id)s has no value in a field of the key.")
                    % {"id": number}
                }
            )
        if value in seen:
            raise ValidationError(
                {
                    "primary_key": _("Rows %(first)s and %(second)s share the key “%(key)s”.")
                    % {"first": seen[value], "second": number, "key": _key_text(value)}
                }
            )
        seen[value] = number


def _refuse_names_columns(
    resource: Resource, columns: Sequence[tabular.Column], *, field: str = "filters"
) -> None:
    """The whole-column rule for person names (a column named like 姓名 that is at least half
    names) over up to 500 rows of the table as it stands after a write, spread over its row
    numbers. Each batch is scanned before it is written, but a column could otherwise be made
    mostly names by writes that each pass: names among other values, the others deleted later.
    Runs inside the write's transaction, so a refusal undoes the write."""
    names = [c for c in columns if c.type == "string" and privacy_tables.is_names_header(c.name)]
    if not names:
        return
    rows = TableRow.objects.filter(resource=resource)
    step = max(1, -(-rows.count() // 500))
    sample = (
        rows.alias(spread=Mod(F("number"), step)).filter(spread=0) if step > 1 else rows
    ).values_list("data", flat=True)[:500]
    parsed = tabular.ParsedTable(
        format="",
        encoding="",
        columns=tuple(names),
        rows=tuple({c.name: data.get(c.name) for c in names} for data in sample),
    )
    if parsed.rows:
        _refuse_personal_data(parsed, resource.dataset, resource.name, field=field)


def _refuse_personal_rows(
    resource: Resource, columns: Sequence[tabular.Column], rows: Sequence[dict[str, Any]]
) -> None:
    """The refusal of personal data that uploads pass, over the rows about to be written."""
    if rows:
        parsed = tabular.ParsedTable(
            format="", encoding="", columns=tuple(columns), rows=tuple(rows)
        )
        _refuse_personal_data(parsed, resource.dataset, resource.name, field="records")


# --- records -----------------------------------------


def _where(index: int, field: str, problem: str) -> str:
    return _("records[%(index)s], field “%(field)s”: %(problem)s") % {
        "index": index,
        "field": field,
        "problem": problem,
    }


def _key(row: Mapping[str, Any], key: Sequence[str]) -> Key:
    return tuple(row.get(name) for name in key)


def _key_text(value: Key) -> str:
    return ", ".join(str(v) for v in value)


def _convert(
    index: int,
    record: Mapping[str, Any],
    columns: Mapping[str, tabular.Column],
    errors: list[str],
) -> dict[str, Any]:
    """The fields of ``record`` converted to their columns' types; problems go to ``errors``."""
    row: dict[str, Any] = {}
    for name, value in record.items():
        column = columns.get(name)
        if column is None:
            errors.append(_where(index, name, _("the table has no such field")))
        elif isinstance(value, dict | list):
            errors.append(_where(index, name, _("nested values are not allowed in a table")))
        else:
            try:
                row[name] = tabular.convert(value, column.type)
            except tabular.ConversionError as exc:
                errors.append(_where(index, name, _(exc.template) % exc.params))
                continue
            if row[name] is None and column.required:
                errors.append(_where(index, name, _("a value is required")))
    return row


def _apply(
    *,
    resource: Resource,
    columns: Sequence[tabular.Column],
    primary_key: Sequence[str],
    records: Sequence[Mapping[str, Any]],
    method: str,
) -> tuple[list[TableRow], list[dict[str, Any]]]:
    """The stored rows that ``records`` change (their ``data`` changed in memory only) and the
    new rows, or ValidationError naming every record and field that does not fit (up to
    ``tabular.MAX_ERRORS``)."""
    if len(records) > MAX_RECORDS:
        raise ValidationError(
            {
                "records": _(
                    "At most %(max)s records per call (%(sent)s sent); send the rest in further "
                    "calls."
                )
                % {"max": f"{MAX_RECORDS:,}", "sent": f"{len(records):,}"}
            }
        )
    by_name = {c.name: c for c in columns}
    errors: list[str] = []
    given: list[tuple[int, int | None, dict[str, Any]]] = []  # (index, _id sent, fields)
    for index, record in enumerate(records):
        number = _row_number(index, record, method, errors)
        row = _convert(index, {k: v for k, v in record.items() if k != "_id"}, by_name, errors)
        if number is None:
            for name in primary_key:
                if row.get(name) is None and name in by_name:
                    errors.append(
                        _where(index, name, _("a field of the primary key needs a value"))
                    )
        given.append((index, number, row))
        if len(errors) >= tabular.MAX_ERRORS:
            break
    if errors:
        raise ValidationError({"records": errors[: tabular.MAX_ERRORS]})
    by_number = {
        r.number: r
        for r in TableRow.objects.filter(
            resource=resource, number__in={n for _i, n, _r in given if n is not None}
        )
    }
    stored = (
        _rows_by_key(
            resource,
            primary_key,
            (k for _i, _n, row in given if None not in (k := _key(row, primary_key))),
        )
        if primary_key
        else {}
    )
    # one object per stored row, however it is reached (by _id or by key)
    stored = {k: by_number.setdefault(r.number, r) for k, r in stored.items()}
    changed: dict[int, TableRow] = {}
    new: dict[Key, dict[str, Any]] = {}
    for index, number, row in given:
        if number is not None and number in by_number:
            target = changed.setdefault(number, by_number[number])
            moved = [n for n in primary_key if n in row and row[n] != target.data.get(n)]
            if moved:
                errors.append(
                    _(
                        "records[%(index)s]: the key of row %(id)s cannot change; delete the "
                        "row and insert it with its new key."
                    )
                    % {"index": index, "id": number}
                )
            target.data = {**target.data, **row}
            continue
        if number is not None and method == "update":
            errors.append(
                _("records[%(index)s]: no row has _id %(id)s.") % {"index": index, "id": number}
            )
            continue
        if number is not None and primary_key and None in _key(row, primary_key):
            errors.append(
                _(
                    "records[%(index)s]: no row has _id %(id)s, and a new row needs every field "
                    "of the primary key."
                )
                % {"index": index, "id": number}
            )
            continue
        key = _key(row, primary_key) if primary_key else (index,)
        if key in new or key in stored:
            if method == "insert":
                errors.append(
                    _("records[%(index)s]: a row with the key “%(key)s” already exists.")
                    % {"index": index, "key": _key_text(key)}
                )
            elif key in new:
                new[key].update(row)
            else:
                target = changed.setdefault(stored[key].number, stored[key])
                target.data = {**target.data, **row}
        elif method == "update":
            errors.append(
                _("records[%(index)s]: no row has the key “%(key)s”.")
                % {"index": index, "key": _key_text(key)}
            )
        else:
            missing = [c.name for c in columns if c.required and row.get(c.name) is None]
            errors.extend(_where(index, name, _("a value is required")) for name in missing)
            new[key] = {c.name: row.get(c.name) for c in columns}
        if len(errors) >= tabular.MAX_ERRORS:
            break
    if errors:
        raise ValidationError({"records": errors[: tabular.MAX_ERRORS]})
    return list(changed.values()), list(new.values())


def _row_number(
    index: int, record: Mapping[str, Any], method: str, errors: list[str]
) -> int | None:
    """The ``_id`` a record names the row it changes by (as ``datastore_search`` gave it), or
    None; problems go to ``errors``."""
    if "_id" not in record:
        return None
    value = record["_id"]
    if method == "insert":
        errors.append(
            _("records[%(index)s]: “_id” is given by the table; insert takes no _id.")
            % {"index": index}
        )
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        errors.append(
            _("records[%(index)s]: “_id” must be a row number, not “%(value)s”.")
            % {"index": index, "value": value}
        )
        return None
    return value


def _rows_by_key(
    resource: Resource, primary_key: Sequence[str], keys: Iterable[Key]
) -> dict[Key, TableRow]:
    """The stored rows whose primary key is one of ``keys``: by queries of 200 keys each, or,
    for more keys than that, by one pass over the table (each query scans it)."""
    wanted = list(dict.fromkeys(keys))
    found: dict[Key, TableRow] = {}
    if len(wanted) > 200:
        keys_wanted = set(wanted)
        for row in TableRow.objects.filter(resource=resource).iterator(chunk_size=2000):
            key = _key(row.data, primary_key)
            if key in keys_wanted:
                found[key] = row
        return found
    rows, alias = tablekeys.with_fields(TableRow.objects.filter(resource=resource), primary_key)
    for start in range(0, len(wanted), 200):
        condition = Q()
        for value in wanted[start : start + 200]:
            match = Q()
            for name, v in zip(primary_key, value, strict=True):
                match &= tablekeys.field_is(alias[name], v)
            condition |= match
        for row in rows.filter(condition):
            found[_key(row.data, primary_key)] = row
    return found


def _append(resource: Resource, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store ``rows`` after the highest row number; they come back with their ``_id``."""
    last = TableRow.objects.filter(resource=resource).aggregate(last=Max("number"))["last"]
    first = (last or 0) + 1
    _store_rows(resource, rows, first=first)
    return [{"_id": number, **row} for number, row in enumerate(rows, first)]


def _save_counts(resource: Resource) -> None:
    resource.row_count = TableRow.objects.filter(resource=resource).count()
    resource.save(update_fields=["datastore_active", "row_count"])
    _touch(resource.dataset)
