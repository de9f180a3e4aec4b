"""CKAN ``datastore_search`` over the table store.

Filters match exact values, typed by the data dictionary; a list of values matches any of them
(OR within a field, AND across fields), as in CKAN. Each query is a data read: it is decided
and logged by ``services.data_read``, and a query refused for bad parameters leaves no log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .. import selectors, services
from ..models import AccessLog, Resource
from .errors import NotAuthorized, NotFound, ValidationFailed
from .registry import Context, action, int_param, json_param
from .resources import resource_by_ref

_CKAN_TYPES = {
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "string": "text",
}


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


def _check_names(resource: Resource, filters: dict[str, Any], fields: list[str], sort: str) -> None:
    """Unknown fields, reported under the parameter that names them (CKAN's wording)."""
    columns = set(resource.columns.values_list("name", flat=True))
    known = columns | {"_id"}
    for param, names, allowed in (("filters", list(filters), columns), ("fields", fields, known)):
        for name in names:
            if name not in allowed:
                raise ValidationFailed(fields={param: [f'field "{name}" not in table']})
    for part in [p.strip() for p in sort.split(",") if p.strip()]:
        pieces = part.split()
        if pieces[0].strip('"') not in known:
            raise ValidationFailed(fields={"sort": [f'field "{pieces[0]}" not in table']})
        if len(pieces) > 2 or (len(pieces) == 2 and pieces[1].lower() not in ("asc", "desc")):
            raise ValidationFailed(fields={"sort": [f'cannot sort by "{part}"']})


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
    if isinstance(sort, list):
        sort = ",".join(map(str, sort))
    sort = str(sort)
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
        "fields": [{"id": "_id", "type": "int"}]
        + [
            {
                "id": c.name,
                "type": _CKAN_TYPES.get(c.type, "text"),
                "info": {"label": c.name, "notes": c.description},
            }
            for c in page.fields
        ],
        "records": page.records,
        "total": page.total,
        "limit": limit,
        "offset": offset,
        "filters": filters,
        "sort": sort,
        "_links": {"start": base, "next": f"{base}&offset={offset + limit}"},
    }
