"""CKAN's datastore actions over the table store: ``datastore_search``, and the writes
``datastore_create``, ``datastore_upsert`` and ``datastore_delete``.

Filters match exact values, typed by the data dictionary; a list of values matches any of them
(OR within a field, AND across fields), as in CKAN. Each query is a data read: it is decided
and logged by ``services.data_read``, and a query refused for bad parameters leaves no log.
Writes go through ``tablestore`` (permission, conversion by column type, the refusal of
personal data, one transaction, an audit entry); here they are only parsed and answered in
CKAN's shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .. import selectors, services, tablestore, tabular
from ..models import AccessLog, Resource, TableColumn
from .errors import NotAuthorized, NotFound, ValidationFailed
from .registry import Context, action, bool_param, int_param, json_param, validation_failed
from .resources import resource_by_ref

_CKAN_TYPES = {
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "string": "text",
}
# CKAN's (PostgreSQL's) type names, and ours, as the table store keeps them. The store has no
# time of day, so a timestamp is kept as its text (ISO 8601 sorts in time order).
_STORE_TYPES = {
    **{name: "integer" for name in ("int", "int4", "int8", "integer", "bigint", "smallint")},
    **{name: "number" for name in ("numeric", "number", "float", "float8", "double precision")},
    **{name: "boolean" for name in ("bool", "boolean")},
    "date": "date",
    **{name: "string" for name in ("text", "string", "varchar", "timestamp")},
}
_NAMES = {"resource": "resource_id"}  # service field → CKAN parameter


def _filters(data: dict[str, Any]) -> dict[str, Any]:
    filters = json_param(data, "filters", {})
    if not isinstance(filters, dict):
        raise ValidationFailed(fields={"filters": ["Must be a JSON object"]})
    for name, value in filters.items():
        values = value if isinstance(value, list) else [value]
        if not values:
            raise ValidationFailed(fields={"filters": [f'field "{name}": give at least one value']})
        if any(isinstance(v, (dict, list)) for v in values):
            raise ValidationFailed(
                fields={"filters": [f'field "{name}": a value or a list of values']}
            )
    return filters


def _check_names(
    resource: Resource, filters: dict[str, Any], fields: list[str], sort: str | list[str]
) -> None:
    """Unknown fields, reported under the parameter that names them (CKAN's wording)."""
    columns = set(resource.columns.values_list("name", flat=True))
    known = columns | {"_id"}
    for param, names, allowed in (("filters", list(filters), columns), ("fields", fields, known)):
        for name in names:
            if name not in allowed:
                raise ValidationFailed(fields={param: [f'field "{name}" not in table']})
    for name, _descending in selectors.sort_terms(sort):
        if name in known:
            continue
        if name.split()[0].strip('"') in known:  # e.g. "a desc nulls last"
            raise ValidationFailed(fields={"sort": [f'cannot sort by "{name}"']})
        raise ValidationFailed(fields={"sort": [f'field "{name}" not in table']})


@action("datastore_search")
def datastore_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    resource = resource_by_ref(ctx, data, "resource_id", "id")
    if not resource.datastore_active:
        raise NotFound(f"Resource “{resource.uuid}” has no datastore table")
    limit = int_param(data, "limit", 100, high=32000)
    offset = int_param(data, "offset", 0, high=10**9)
    filters = _filters(data)
    fields = data.get("fields") or []
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    if not isinstance(fields, list):
        raise ValidationFailed(fields={"fields": ["Must be a list of field names"]})
    sort = data.get("sort") or ""
    sort = [str(term) for term in sort] if isinstance(sort, list) else str(sort)
    if data.get("q"):
        raise ValidationFailed(
            fields={"q": ["Full-text search of table rows is not supported; use filters"]}
        )
    with transaction.atomic():  # a refused query rolls its access-log entry back
        try:
            services.data_read(
                user=ctx.user,
                dataset=resource.dataset,
                resource=resource,
                action=AccessLog.Action.DATASTORE,
                channel=AccessLog.Channel.CKAN,
                api_key=ctx.api_key,
                ip=ctx.ip,
            )
        except PermissionDenied as exc:
            raise NotAuthorized(str(exc)) from None
        _check_names(resource, filters, [str(f) for f in fields], sort)
        try:
            page = selectors.table_query(
                resource, filters=filters, fields=fields, sort=sort, limit=limit, offset=offset
            )
        except selectors.TableQueryError as exc:
            # names are checked above: what is left is a value that does not fit its field
            raise ValidationFailed(fields={"filters": [str(exc)]}) from None
    base = f"/api/3/action/datastore_search?resource_id={resource.uuid}"
    return {
        "resource_id": str(resource.uuid),
        "fields": [{"id": "_id", "type": "int"}, *_field_dicts(page.fields)],
        "records": page.records,
        "total": page.total,
        "limit": limit,
        "offset": offset,
        "filters": filters,
        "sort": sort,
        "_links": {"start": base, "next": f"{base}&offset={offset + limit}"},
    }


@action("datastore_info")
def datastore_info(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """The table's fields and row count (CKAN 2.10's shape). It describes the data, so it needs
    the right to read the data (a grant for conditional datasets), but it is not logged as a
    read of the data."""
    resource = _table(ctx, data)
    try:
        services.check_data_read(user=ctx.user, dataset=resource.dataset, api_key=ctx.api_key)
    except PermissionDenied as exc:
        raise NotAuthorized(str(exc)) from None
    columns = list(resource.columns.all())
    return {
        "meta": {
            "id": str(resource.uuid),
            "count": resource.row_count,
            "table_type": "BASE TABLE",
            "aliases": [],
        },
        "fields": [
            {**field, "schema": {"native_type": field["type"], "is_index": c.primary_key}}
            for field, c in zip(_field_dicts(columns), columns, strict=True)
        ],
        "primary_key": [c.name for c in columns if c.primary_key],
    }


def _field_dicts(columns: Sequence[TableColumn]) -> list[dict[str, Any]]:
    return [
        {
            "id": c.name,
            "type": _CKAN_TYPES.get(c.type, "text"),
            "info": {"label": c.name, "notes": c.description},
        }
        for c in columns
    ]


# --- writes -----------------------------------------


def _records(data: dict[str, Any]) -> list[dict[str, Any]]:
    records = json_param(data, "records", [])
    if not isinstance(records, list):
        raise ValidationFailed(fields={"records": ["Must be a list of objects"]})
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise ValidationFailed(fields={"records": [f"records[{index}]: must be an object"]})
    return records


def _guess_type(name: str, records: list[dict[str, Any]]) -> str:
    """A field sent without a type: from its JSON values, as CKAN guesses (text by default)."""
    kinds = {type(r[name]) for r in records if r.get(name) is not None}
    if kinds == {bool}:
        return "boolean"
    if kinds == {int}:
        return "integer"
    if kinds and kinds <= {int, float}:
        return "number"
    return "string"


def _columns(data: dict[str, Any], records: list[dict[str, Any]], *, new: bool) -> list[Any]:
    """The ``fields`` sent, as the store's columns. A new table without ``fields`` takes the
    fields of its records (in order of appearance), as CKAN does."""
    fields = json_param(data, "fields", None)
    if fields is None:
        names = list(dict.fromkeys(name for record in records for name in record)) if new else []
        fields = [{"id": name} for name in names]
    if not isinstance(fields, list):
        raise ValidationFailed(fields={"fields": ["Must be a list of fields"]})
    columns = []
    for position, field in enumerate(fields):
        name = field.get("id") if isinstance(field, dict) else None
        if not isinstance(name, str) or not name:
            raise ValidationFailed(fields={"fields": [f'fields[{position}]: give it an "id"']})
        if name == "_id":
            continue  # the row id, as datastore_search lists it: not a field to create
        raw = field.get("type")
        if raw in (None, ""):
            type_ = _guess_type(name, records)
        else:
            found = _STORE_TYPES.get(str(raw).strip().lower())
            if found is None:
                known = "int, numeric, text, bool, date or timestamp"
                raise ValidationFailed(
                    fields={"fields": [f'field "{name}": unknown type "{raw}" (use {known})']}
                )
            type_ = found
        info = field.get("info")
        notes = info.get("notes", "") if isinstance(info, dict) else ""
        columns.append(tabular.Column(name=name, type=type_, description=str(notes)[:500]))
    return columns


def _primary_key(data: dict[str, Any]) -> list[str] | None:
    """``primary_key``: a list, or names separated by commas; None when not sent."""
    raw = data.get("primary_key")
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = json_param(data, "primary_key", []) if raw.strip().startswith("[") else raw.split(",")
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise ValidationFailed(fields={"primary_key": ["Must be a list of field names"]})
    return [name.strip() for name in raw if name.strip()]


def _table(ctx: Context, data: dict[str, Any]) -> Resource:
    resource = resource_by_ref(ctx, data, "resource_id", "id")
    if not resource.datastore_active:
        raise NotFound(f"Resource “{resource.uuid}” has no datastore table")
    return resource


@action("datastore_create", write=True)
def datastore_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Creates the table of a resource, or adds fields and records to it (as CKAN does)."""
    if data.get("resource") not in (None, "", {}):
        raise ValidationFailed(
            fields={
                "resource": [
                    "Not supported: create the resource with resource_create (a url), then "
                    "pass its id as resource_id"
                ]
            }
        )
    resource = resource_by_ref(ctx, data, "resource_id")
    records = _records(data)
    columns = _columns(data, records, new=not resource.datastore_active)
    try:
        written = tablestore.datastore_create(
            actor=ctx.user,
            resource=resource,
            columns=columns,
            records=records,
            primary_key=_primary_key(data),
        )
    except ValidationError as exc:
        raise validation_failed(exc, _NAMES) from None
    table = list(written.resource.columns.all())
    result: dict[str, Any] = {
        "resource_id": str(resource.uuid),
        "fields": _field_dicts(table),
        "primary_key": [c.name for c in table if c.primary_key],
        "method": "insert",
    }
    if bool_param(data, "include_records"):
        result["records"] = written.records
    return result


@action("datastore_upsert", write=True)
def datastore_upsert(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Inserts, updates or upserts (the default) records, matched on the primary key."""
    resource = _table(ctx, data)
    method = data.get("method") or "upsert"
    if not isinstance(method, str):
        raise ValidationFailed(fields={"method": ["Must be insert, upsert or update"]})
    try:
        written = tablestore.datastore_upsert(
            actor=ctx.user, resource=resource, records=_records(data), method=method
        )
    except ValidationError as exc:
        raise validation_failed(exc, _NAMES) from None
    result: dict[str, Any] = {"resource_id": str(resource.uuid), "method": method}
    if bool_param(data, "include_records"):
        result["records"] = written.records
    return result


@action("datastore_delete", write=True)
def datastore_delete(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Deletes the rows that match ``filters``; without filters, drops the table."""
    resource = _table(ctx, data)
    filters = _filters(data) if "filters" in data else None
    try:
        tablestore.datastore_delete(actor=ctx.user, resource=resource, filters=filters)
    except ValidationError as exc:
        raise validation_failed(exc, _NAMES) from None
    result: dict[str, Any] = {"resource_id": str(resource.uuid)}
    if filters is not None:
        result["filters"] = filters
    return result
