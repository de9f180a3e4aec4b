"""CKAN Action API actions, each a function of (context, data dict) registered by name.

Reads go through ``selectors``/``access``; writes through ``services``; data reads through
``services.data_read`` (so they are checked and logged like any other read).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest

from ceyuan.accounts.models import Organisation

from .. import access, levels, selectors, services
from ..models import AccessLog, ApiKey, Dataset, Resource, Theme, Zone
from .errors import BadRequest, NotAuthorized, NotFound, SearchQueryError, ValidationFailed

CKAN_VERSION = "2.10.4"
_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")


@dataclass
class Context:
    request: HttpRequest
    user: Any
    api_key: ApiKey | None

    @property
    def ip(self) -> str | None:
        return self.request.META.get("REMOTE_ADDR")

    def url(self, path: str) -> str:
        return self.request.build_absolute_uri(path)


Action = Callable[[Context, dict[str, Any]], Any]
ACTIONS: dict[str, Action] = {}
WRITE_ACTIONS: set[str] = set()


def action(name: str, *, write: bool = False) -> Callable[[Action], Action]:
    def register(fn: Action) -> Action:
        ACTIONS[name] = fn
        if write:
            WRITE_ACTIONS.add(name)
        return fn

    return register


# --- parameter helpers -----------------------------------------


def _required(data: dict[str, Any], *names: str) -> Any:
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return value
    raise ValidationFailed(fields={names[0]: ["Missing value"]})


def _int(data: dict[str, Any], name: str, default: int, *, low: int = 0, high: int = 1000) -> int:
    raw = data.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed(fields={name: ["Invalid integer"]}) from None
    if value < low:
        raise ValidationFailed(fields={name: [f"Must be a natural number ≥ {low}"]})
    return min(value, high)


def _json_param(data: dict[str, Any], name: str, default: Any) -> Any:
    raw = data.get(name, default)
    if isinstance(raw, str):
        try:
            return json.loads(raw) if raw.strip() else default
        except json.JSONDecodeError:
            raise ValidationFailed(fields={name: ["Could not parse as valid JSON"]}) from None
    return raw


def _bool(data: dict[str, Any], name: str, default: bool = False) -> bool:
    raw = data.get(name, default)
    if isinstance(raw, str):
        return raw.lower() in ("true", "1", "yes", "on")
    return bool(raw)


# --- dictionaries in CKAN's shape -----------------------------------------


def organization_dict(org: Organisation, package_count: int | None = None) -> dict[str, Any]:
    result = {
        "id": str(org.pk),
        "name": org.code,
        "title": org.name_zh,
        "display_name": org.name,
        "description": org.description,
        "type": "organization",
        "is_organization": True,
        "state": "active" if org.is_active else "deleted",
        "approval_status": "approved",
        "created": org.created_at.isoformat(),
        "image_url": "",
        "extras": [{"key": "name_en", "value": org.name_en}, {"key": "kind", "value": org.kind}],
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_dict(theme: Theme) -> dict[str, Any]:
    return {
        "id": str(theme.pk),
        "name": theme.code,
        "title": theme.title_zh,
        "display_name": theme.title,
        "description": theme.title_en,
        "type": "group",
        "is_organization": False,
        "state": "active",
    }


def resource_dict(resource: Resource, ctx: Context) -> dict[str, Any]:
    if resource.kind == Resource.Kind.FILE:
        url = ctx.url(f"/data/resources/{resource.uuid}/download/")
    else:
        url = resource.url
    return {
        "id": str(resource.uuid),
        "package_id": str(resource.dataset.uuid),
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "url": url,
        "url_type": "upload" if resource.kind == Resource.Kind.FILE else "",
        "size": resource.size or None,
        "created": resource.created_at.isoformat(),
        "datastore_active": resource.datastore_active,
        "state": "active",
        "position": None,
    }


def package_dict(dataset: Dataset, ctx: Context, *, with_resources: bool = True) -> dict[str, Any]:
    themes = list(dataset.themes.all())
    result: dict[str, Any] = {
        "id": str(dataset.uuid),
        "name": dataset.name,
        "title": dataset.title_zh,
        "notes": dataset.description_zh,
        "type": "dataset",
        "state": "active"
        if dataset.status == Dataset.Status.PUBLISHED
        else ("draft" if dataset.status == Dataset.Status.DRAFT else "deleted"),
        "private": dataset.access == levels.NON_PUBLIC,
        "owner_org": str(dataset.publisher_id),
        "organization": organization_dict(dataset.publisher),
        "license_id": dataset.licence,
        "license_title": dataset.licence,
        "version": dataset.version,
        "maintainer": dataset.contact_name,
        "maintainer_email": dataset.contact_email,
        "author": dataset.publisher.name_zh,
        "author_email": "",
        "url": ctx.url(f"/data/datasets/{dataset.name}/"),
        "metadata_created": dataset.created_at.isoformat(),
        "metadata_modified": dataset.updated_at.isoformat(),
        "tags": [
            {"name": word, "display_name": word, "state": "active"} for word in dataset.keywords
        ],
        "num_tags": len(dataset.keywords),
        "groups": [group_dict(t) for t in themes],
        "title_en": dataset.title_en,
        "notes_en": dataset.description_en,
        "opening_level": dataset.opening_level,
        "security_grade": dataset.security_grade,
        "access_level": dataset.access,
        "access_rights": levels.EU_ACCESS_RIGHTS[dataset.access],
        "zone": dataset.zone.code if dataset.zone_id else None,  # type: ignore[union-attr]
        "spatial": dataset.spatial,
        "temporal_start": dataset.temporal_start.isoformat() if dataset.temporal_start else None,
        "temporal_end": dataset.temporal_end.isoformat() if dataset.temporal_end else None,
        "frequency": dataset.frequency,
        "is_training_dataset": dataset.is_training,
    }
    result["extras"] = [
        {"key": key, "value": "" if result[key] is None else str(result[key])}
        for key in ("title_en", "opening_level", "security_grade", "zone", "spatial", "frequency")
    ]
    if with_resources:
        resources = list(dataset.resources.all())
        result["resources"] = [resource_dict(r, ctx) for r in resources]
        result["num_resources"] = len(resources)
    return result


# --- read actions -----------------------------------------


@action("status_show")
def status_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "ckan_version": CKAN_VERSION,
        "site_title": "策源 Ceyuan",
        "site_url": ctx.url("/"),
        "site_description": "Beijing public data opening platform",
        "locale_default": "zh_Hans_CN",
        "extensions": ["datastore", "dcat"],
    }


@action("package_list")
def package_list(ctx: Context, data: dict[str, Any]) -> list[str]:
    limit = _int(data, "limit", 1000, high=100000)
    offset = _int(data, "offset", 0, high=10**9)
    qs = selectors.datasets_visible(ctx.user).filter(status=Dataset.Status.PUBLISHED)
    return list(qs.order_by("name").values_list("name", flat=True)[offset : offset + limit])


@action("package_show")
def package_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    ref = _required(data, "id", "name")
    try:
        dataset = access.access_dataset(ctx.user, ref)
    except Http404:
        raise NotFound("Dataset not found") from None
    return package_dict(dataset, ctx)


# CKAN (Solr) field → our facet / filter name
CKAN_FIELDS = {
    "organization": "publisher",
    "owner_org": "publisher",
    "tags": "keyword",
    "groups": "theme",
    "res_format": "format",
    "zone": "zone",
    "opening_level": "level",
    "access_level": "level",
    "security_grade": "grade",
    "name": "name",
    "is_training_dataset": "training",
}
_FQ_TERM = re.compile(r'([+-]?)([A-Za-z_.]+):("(?:[^"\\]|\\.)*"|\S+)')
_SORTS = {
    "score desc": "relevance",
    "metadata_modified desc": "updated",
    "metadata_modified asc": "-updated",
    "title_string asc": "title",
    "title_string desc": "-title",
    "name asc": "name",
    "metadata_created desc": "created",
}


def _parse_fq(text: str, filters: dict[str, list[str]]) -> str:
    """Move ``field:value`` terms of ``text`` into ``filters``; return what remains."""

    def take(match: re.Match[str]) -> str:
        sign, field, value = match.groups()
        if field not in CKAN_FIELDS:
            if field in ("text", "title", "notes"):
                return value.strip('"')
            raise SearchQueryError(f"Search error: unknown field “{field}” in query")
        if sign == "-":
            raise SearchQueryError("Search error: negated terms are not supported")
        value = value.strip('"').replace('\\"', '"')
        if CKAN_FIELDS[field] == "publisher" and value.isdigit():
            org = Organisation.objects.filter(pk=int(value)).first()
            value = org.code if org else value
        filters.setdefault(CKAN_FIELDS[field], []).append(value)
        return " "

    remainder = _FQ_TERM.sub(take, text)
    return re.sub(r"\b(AND)\b", " ", remainder).strip()


@action("package_search")
def package_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    rows = _int(data, "rows", 10, high=1000)
    start = _int(data, "start", 0, high=10**9)
    filters: dict[str, list[str]] = {}
    q = str(data.get("q") or "")
    if q.strip() in ("*:*", "*"):
        q = ""
    q = _parse_fq(q, filters)
    fq = str(data.get("fq") or "")
    if fq.strip():
        leftover = _parse_fq(fq, filters)
        if leftover.strip("() "):
            raise SearchQueryError(f"Search error: cannot parse fq “{fq}”")
    sort_raw = str(data.get("sort") or "").strip().lower()
    sort = ""
    if sort_raw:
        first = re.sub(r"\s+", " ", sort_raw.split(",")[0].strip())
        if first not in _SORTS:
            raise SearchQueryError(f"Search error: cannot sort by “{sort_raw}”")
        sort = _SORTS[first]
    facet_fields = _json_param(data, "facet.field", [])
    if not isinstance(facet_fields, list):
        raise ValidationFailed(fields={"facet.field": ["Must be a list of field names"]})
    unknown = [f for f in facet_fields if f not in CKAN_FIELDS or f == "name"]
    if unknown:
        raise SearchQueryError(f"Search error: cannot facet on {', '.join(map(str, unknown))}")
    facet_limit = _int(data, "facet.limit", 50, low=-1, high=1000)
    if facet_limit < 0:
        facet_limit = 1000
    filters.setdefault("status", ["published"])
    if not _bool(data, "include_private"):
        # CKAN leaves private (here: not open) datasets out unless asked to include them
        filters.setdefault("level", ["public", "restricted"])
    result = selectors.search(
        ctx.user,
        q=q,
        filters=filters,
        sort=sort,
        start=start,
        rows=rows,
        facets=[CKAN_FIELDS[f] for f in facet_fields],
        facet_limit=facet_limit,
    )
    labels = selectors.facet_labels(result.facets)
    facets: dict[str, dict[str, int]] = {}
    search_facets: dict[str, Any] = {}
    for name in facet_fields:
        counts = result.facets.get(CKAN_FIELDS[name], {})
        facets[name] = counts
        names = labels.get(CKAN_FIELDS[name], {})
        search_facets[name] = {
            "title": name,
            "items": [
                {"name": value, "display_name": names.get(value, value), "count": n}
                for value, n in counts.items()
            ],
        }
    Dataset.objects.none()
    return {
        "count": result.count,
        "results": [package_dict(d, ctx) for d in _prefetch(result.datasets)],
        "facets": facets,
        "search_facets": search_facets,
        "sort": sort_raw
        or ("score desc, metadata_modified desc" if q else "metadata_modified desc"),
    }


def _prefetch(datasets: list[Dataset]) -> list[Dataset]:
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(datasets, "themes", "resources")
    return datasets


@action("organization_list")
def organization_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    all_fields = _bool(data, "all_fields")
    orgs = Organisation.objects.filter(is_active=True).order_by("code")
    if not all_fields:
        return list(orgs.values_list("code", flat=True))
    visible = selectors.datasets_visible(ctx.user).filter(status=Dataset.Status.PUBLISHED)
    counts = dict(visible.values_list("publisher_id").annotate(n=Count("pk")).order_by())
    return [organization_dict(org, counts.get(org.pk, 0)) for org in orgs]


def _organisation(ref: Any) -> Organisation:
    ref = str(ref)
    org = Organisation.objects.filter(
        Q(code=ref) | (Q(pk=int(ref)) if ref.isdigit() else Q())
    ).first()
    if org is None or not org.is_active:
        raise NotFound("Organization not found")
    return org


@action("organization_show")
def organization_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    org = _organisation(_required(data, "id"))
    visible = selectors.datasets_visible(ctx.user).filter(
        status=Dataset.Status.PUBLISHED, publisher=org
    )
    result = organization_dict(org, visible.count())
    if _bool(data, "include_datasets"):
        result["packages"] = [
            package_dict(d, ctx, with_resources=False)
            for d in visible.select_related("publisher", "zone")[:1000]
        ]
    return result


@action("group_list")
def group_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    themes = Theme.objects.order_by("code")
    if _bool(data, "all_fields"):
        return [group_dict(t) for t in themes]
    return list(themes.values_list("code", flat=True))


@action("group_show")
def group_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    ref = str(_required(data, "id"))
    theme = Theme.objects.filter(code=ref).first()
    if theme is None:
        raise NotFound("Group not found")
    result = group_dict(theme)
    result["package_count"] = (
        selectors.datasets_visible(ctx.user).filter(themes=theme, status="published").count()
    )
    return result


@action("tag_list")
def tag_list(ctx: Context, data: dict[str, Any]) -> list[str]:
    query = str(data.get("query") or "").strip()
    tags: set[str] = set()
    visible = selectors.datasets_visible(ctx.user).filter(status=Dataset.Status.PUBLISHED)
    for keywords in visible.values_list("keywords", flat=True).iterator(chunk_size=5000):
        tags.update(keywords or [])
    if query:
        tags = {t for t in tags if query.lower() in t.lower()}
    return sorted(tags)


@action("zone_list")
def zone_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    return [
        {"name": z.code, "title": z.title_zh, "title_en": z.title_en}
        for z in Zone.objects.order_by("code")
    ]


@action("resource_show")
def resource_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    ref = _required(data, "id")
    try:
        resource = access.access_resource(ctx.user, ref)
    except Http404:
        raise NotFound("Resource was not found.") from None
    return resource_dict(resource, ctx)


_CKAN_TYPES = {
    "integer": "int",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "string": "text",
}


@action("datastore_search")
def datastore_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    ref = _required(data, "resource_id", "id")
    try:
        resource = access.access_resource(ctx.user, ref)
    except Http404:
        raise NotFound("Resource was not found.") from None
    if not resource.datastore_active:
        raise NotFound(f"Resource “{ref}” has no datastore table")
    limit = _int(data, "limit", 100, high=32000)
    offset = _int(data, "offset", 0, high=10**9)
    filters = _json_param(data, "filters", {})
    if not isinstance(filters, dict):
        raise ValidationFailed(fields={"filters": ["Must be a JSON object"]})
    fields = data.get("fields") or []
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()]
    sort = data.get("sort") or ""
    if isinstance(sort, list):
        sort = ",".join(sort)
    if data.get("q"):
        raise ValidationFailed(
            fields={"q": ["Full-text search of table rows is not supported; use filters"]}
        )
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
    try:
        page = selectors.table_query(
            resource, filters=filters, fields=fields, sort=str(sort), limit=limit, offset=offset
        )
    except selectors.TableQueryError as exc:
        raise ValidationFailed(fields={"query": [str(exc)]}) from None
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


# --- write actions -----------------------------------------

_DIRECT = {
    "title": "title_zh",
    "notes": "description_zh",
    "title_en": "title_en",
    "notes_en": "description_en",
    "license_id": "licence",
    "version": "version",
    "maintainer": "contact_name",
    "maintainer_email": "contact_email",
    "spatial": "spatial",
    "temporal_start": "temporal_start",
    "temporal_end": "temporal_end",
    "frequency": "frequency",
    "opening_level": "opening_level",
    "security_grade": "security_grade",
    "name": "name",
}


def _dataset_fields(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """CKAN package fields (top level or extras) → service keyword arguments."""
    merged = dict(data)
    extras = data.get("extras") or []
    if not isinstance(extras, list):
        raise ValidationFailed(fields={"extras": ["Must be a list of {key, value}"]})
    for extra in extras:
        if not isinstance(extra, dict) or "key" not in extra:
            raise ValidationFailed(fields={"extras": ["Must be a list of {key, value}"]})
        merged.setdefault(extra["key"], extra.get("value"))
    fields: dict[str, Any] = {}
    for ckan, ours in _DIRECT.items():
        if ckan in merged and merged[ckan] is not None:
            fields[ours] = merged[ckan]
    if "name" in fields and not _NAME.match(str(fields["name"])):
        raise ValidationFailed(
            fields={
                "name": [
                    "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -_"
                ]
            }
        )
    if creating and "opening_level" not in fields:
        fields["opening_level"] = levels.NON_PUBLIC if _bool(merged, "private") else levels.PUBLIC
    if "owner_org" in merged:
        fields["publisher"] = _owner_org(merged["owner_org"])
    if merged.get("zone"):
        zone = Zone.objects.filter(code=merged["zone"]).first()
        if zone is None:
            raise ValidationFailed(fields={"zone": [f"Zone “{merged['zone']}” does not exist"]})
        fields["zone"] = zone
    if "tags" in merged:
        tags = merged["tags"] or []
        if not isinstance(tags, list):
            raise ValidationFailed(fields={"tags": ["Must be a list of {name}"]})
        fields["keywords"] = [t.get("name", "") if isinstance(t, dict) else str(t) for t in tags]
    if "groups" in merged:
        groups = merged["groups"] or []
        if not isinstance(groups, list):
            raise ValidationFailed(fields={"groups": ["Must be a list of {name}"]})
        fields["themes"] = [g.get("name", "") if isinstance(g, dict) else str(g) for g in groups]
    if "is_training_dataset" in merged:
        fields["is_training"] = _bool(merged, "is_training_dataset")
    if "state" in merged:
        state = {"active": "published", "draft": "draft", "deleted": "withdrawn"}.get(
            str(merged["state"])
        )
        if state is None:
            raise ValidationFailed(fields={"state": ["Must be active, draft or deleted"]})
        fields["status"] = state
    return fields


def _owner_org(ref: Any) -> Organisation:
    try:
        return _organisation(ref)
    except NotFound:
        raise ValidationFailed(fields={"owner_org": ["Organization does not exist"]}) from None


def _ckan_validation(error: Any) -> ValidationFailed:
    back = {v: k for k, v in _DIRECT.items()}
    back.update(
        {"publisher": "owner_org", "keywords": "tags", "themes": "groups", "upload": "upload"}
    )
    if hasattr(error, "error_dict"):
        fields = {back.get(k, k): [str(m) for m in v] for k, v in error.message_dict.items()}
        if any(e.code == "unique" for e in error.error_dict.get("name", [])):
            fields["name"] = ["That URL is already in use."]  # CKAN's own wording
        return ValidationFailed(fields=fields)
    return ValidationFailed(fields={"message": [str(m) for m in error.messages]})


@action("package_create", write=True)
def package_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    _required(data, "name")
    _required(data, "owner_org")
    fields = _dataset_fields(data, creating=True)
    resources = data.get("resources") or []
    if not isinstance(resources, list):
        raise ValidationFailed(fields={"resources": ["Must be a list"]})
    from django.db import transaction

    try:
        with transaction.atomic():
            dataset = services.dataset_create(
                actor=ctx.user,
                name=fields.pop("name"),
                title_zh=fields.pop("title_zh", "") or data["name"],
                publisher=fields.pop("publisher"),
                opening_level=fields.pop("opening_level"),
                **fields,
            )
            for item in resources:
                if not isinstance(item, dict) or not item.get("url"):
                    raise ValidationError({"resources": "Each resource needs a url"})
                services.resource_create(
                    actor=ctx.user,
                    dataset=dataset,
                    name=item.get("name", ""),
                    url=item["url"],
                    format=item.get("format", ""),
                    description=item.get("description", ""),
                )
    except ValidationError as exc:
        raise _ckan_validation(exc) from None
    return package_dict(Dataset.objects.get(pk=dataset.pk), ctx)


def _dataset_for_write(ctx: Context, data: dict[str, Any]) -> Dataset:
    ref = _required(data, "id", "name")
    try:
        return access.access_dataset(ctx.user, ref)
    except Http404:
        raise NotFound("Dataset not found") from None


@action("package_update", write=True)
def package_update(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    dataset = _dataset_for_write(ctx, data)
    fields = _dataset_fields(data, creating=False)
    if "id" in data and fields.get("name") == dataset.name:
        fields.pop("name")
    themes = fields.pop("themes", None)
    try:
        services.dataset_update(actor=ctx.user, dataset=dataset, themes=themes, **fields)
    except ValidationError as exc:
        raise _ckan_validation(exc) from None
    return package_dict(Dataset.objects.get(pk=dataset.pk), ctx)


ACTIONS["package_patch"] = package_update
WRITE_ACTIONS.add("package_patch")


@action("resource_create", write=True)
def resource_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    ref = _required(data, "package_id")
    try:
        dataset = access.access_dataset(ctx.user, ref)
    except Http404:
        raise NotFound("Dataset not found") from None
    upload = data.get("upload")
    content = filename = None
    if upload is not None and hasattr(upload, "read"):
        content = upload.read()
        filename = getattr(upload, "name", "upload")
    elif not data.get("url"):
        raise ValidationFailed(fields={"url": ["Missing value: give a url or an upload"]})
    schema = _json_param(data, "schema", None)
    try:
        resource = services.resource_create(
            actor=ctx.user,
            dataset=dataset,
            name=str(data.get("name") or ""),
            content=content,
            filename=filename or "",
            url=str(data.get("url") or "") if content is None else "",
            format=str(data.get("format") or ""),
            description=str(data.get("description") or ""),
            schema=schema,
        )
    except ValidationError as exc:
        raise _ckan_validation(exc) from None
    return resource_dict(resource, ctx)


def run(name: str, ctx: Context, data: dict[str, Any]) -> Any:
    fn = ACTIONS.get(name)
    if fn is None:
        raise BadRequest(f"Action name not known: {name}")
    if name in WRITE_ACTIONS and not getattr(ctx.user, "is_authenticated", False):
        raise NotAuthorized(
            "Access denied: log in or send an API token in the Authorization header"
        )
    try:
        return fn(ctx, data)
    except PermissionDenied as exc:
        raise NotAuthorized(f"Access denied: {exc}") from None
