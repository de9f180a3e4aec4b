"""CKAN package (dataset) actions: list, show, search, create, update/patch and delete.

A CKAN "deleted" package is a withdrawn dataset here: ``package_delete`` withdraws it through
``services.dataset_withdraw`` and destroys nothing. Withdrawn datasets leave ``package_list``
and ``package_search`` (unless ``include_deleted`` asks for them, and then only for those who
still see them); ``package_show`` gives them, with state "deleted", to the publisher's members
and coordinators and answers Not Found to everyone else.

``package_update``/``package_patch`` change only the dataset fields sent; a ``resources`` list,
when sent, becomes the dataset's resource list as in CKAN (listed resources are updated, new
items become API endpoints, unlisted resources are deleted). The whole list is checked before
anything is written, and the dataset and all its resource changes are one transaction.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _

from ceyuan.accounts.models import Organisation

from .. import access, levels, permissions, selectors, services
from ..models import Dataset, Resource, Zone
from .dicts import download_path, package_dict
from .errors import NotFound, SearchQueryError, ValidationFailed
from .registry import (
    Context,
    action,
    bool_param,
    int_param,
    json_param,
    required,
    validation_failed,
)
from .site import organisation_by_ref

_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")


def dataset_by_ref(ctx: Context, data: dict[str, Any]) -> Dataset:
    """The dataset named by ``id`` (or ``name``), through ``access``: invisible is Not Found."""
    ref = required(data, "id", "name")
    try:
        return access.access_dataset(ctx.user, ref)
    except Http404:
        raise NotFound("Dataset not found") from None


@action("package_list")
def package_list(ctx: Context, data: dict[str, Any]) -> list[str]:
    limit = int_param(data, "limit", 1000, high=100000)
    offset = int_param(data, "offset", 0, high=10**9)
    qs = selectors.datasets_visible(ctx.user).filter(status=Dataset.Status.PUBLISHED)
    return list(qs.order_by("name").values_list("name", flat=True)[offset : offset + limit])


@action("package_show")
def package_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return package_dict(dataset_by_ref(ctx, data), ctx)


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
    remainder = re.sub(r"\b(AND)\b", " ", remainder)
    # Solr's match-all (*:*, *) beside other terms matches everything they allow
    return " ".join(t for t in remainder.split() if t not in ("*:*", "*", "text:*"))


@action("package_search")
def package_search(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    rows = int_param(data, "rows", 10, high=1000)
    start = int_param(data, "start", 0, high=10**9)
    filters: dict[str, list[str]] = {}
    q = _parse_fq(str(data.get("q") or ""), filters)
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
    facet_fields = json_param(data, "facet.field", [])
    if not isinstance(facet_fields, list):
        raise ValidationFailed(fields={"facet.field": ["Must be a list of field names"]})
    unknown = [f for f in facet_fields if f not in CKAN_FIELDS or f == "name"]
    if unknown:
        raise SearchQueryError(f"Search error: cannot facet on {', '.join(map(str, unknown))}")
    facet_limit = int_param(data, "facet.limit", 50, low=-1, high=1000)
    if facet_limit < 0:
        facet_limit = 1000
    # CKAN leaves drafts and deleted datasets out unless asked; the visibility rule still
    # decides whose are returned (a withdrawn one only to its publisher and coordinators)
    statuses: list[str] = [Dataset.Status.PUBLISHED]
    if bool_param(data, "include_drafts"):
        statuses.append(Dataset.Status.DRAFT)
    if bool_param(data, "include_deleted"):
        statuses.append(Dataset.Status.WITHDRAWN)
    filters["status"] = statuses
    if not bool_param(data, "include_private"):
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
    return {
        "count": result.count,
        "results": [package_dict(d, ctx) for d in _prefetch(result.datasets)],
        "facets": facets,
        "search_facets": search_facets,
        "sort": sort_raw
        or ("score desc, metadata_modified desc" if q else "metadata_modified desc"),
    }


def _prefetch(datasets: list[Dataset]) -> list[Dataset]:
    prefetch_related_objects(datasets, "themes", "resources")
    return datasets


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
        fields["opening_level"] = (
            levels.NON_PUBLIC if bool_param(merged, "private") else levels.PUBLIC
        )
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
        fields["is_training"] = bool_param(merged, "is_training_dataset")
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
        return organisation_by_ref(ref)
    except NotFound:
        raise ValidationFailed(fields={"owner_org": ["Organization does not exist"]}) from None


# service field → CKAN field, for the fields of validation errors
_CKAN_NAMES = {
    **{ours: ckan for ckan, ours in _DIRECT.items()},
    "publisher": "owner_org",
    "keywords": "tags",
    "themes": "groups",
    "status": "state",
}


@action("package_create", write=True)
def package_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    required(data, "name")
    required(data, "owner_org")
    fields = _dataset_fields(data, creating=True)
    resources = data.get("resources") or []
    if not isinstance(resources, list):
        raise ValidationFailed(fields={"resources": ["Must be a list"]})
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
        raise validation_failed(exc, _CKAN_NAMES) from None
    return package_dict(Dataset.objects.get(pk=dataset.pk), ctx)


@action("package_update", write=True)
@action("package_patch", write=True)
def package_update(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Only the dataset fields sent change (``package_update`` as ``package_patch``);
    ``state: "deleted"`` withdraws the dataset. A ``resources`` list, when sent, becomes the
    resource list (see ``_resource_plan``); without it the resources stay as they are."""
    dataset = dataset_by_ref(ctx, data)
    fields = _dataset_fields(data, creating=False)
    if "id" in data and fields.get("name") == dataset.name:
        fields.pop("name")
    themes = fields.pop("themes", None)
    withdraw = fields.get("status") == Dataset.Status.WITHDRAWN
    if withdraw:
        fields.pop("status")
    items = json_param(data, "resources", None)
    plan = None
    if items is not None:
        # Refuse an outsider before telling them what is wrong with their list.
        if not permissions.can_edit_dataset(ctx.user, dataset):
            raise PermissionDenied(_("You cannot edit this dataset."))
        plan = _resource_plan(ctx, dataset, items)
    with transaction.atomic():
        try:
            services.dataset_update(actor=ctx.user, dataset=dataset, themes=themes, **fields)
        except ValidationError as exc:
            raise validation_failed(exc, _CKAN_NAMES) from None
        if plan is not None:
            _apply_resource_plan(ctx, dataset, plan)
        if withdraw:
            services.dataset_withdraw(actor=ctx.user, dataset=dataset)
    return package_dict(Dataset.objects.get(pk=dataset.pk), ctx)


# --- the resource list of package_update -----------------------------------------

_RESOURCE_TEXT = ("name", "description", "format", "url")
_RESOURCE_NAMES = {"file": "upload", "kind": "url"}  # service field → CKAN field
Refuse = Callable[[int, str, str], None]  # (item index, field or "", message)


@dataclass(frozen=True)
class _ResourceChange:
    """One item of the list: ``resource`` is None for a new API endpoint. ``fields`` are the
    service's keyword arguments — for a listed resource only those whose value changes."""

    index: int
    resource: Resource | None
    fields: dict[str, str]


@dataclass
class _ResourcePlan:
    changes: list[_ResourceChange] = field(default_factory=list)
    deletions: list[Resource] = field(default_factory=list)


def _resource_key(ref: Any) -> str | None:
    """A resource id as ``package_show`` gives it (a UUID), normalised; None if it is not one."""
    try:
        return str(uuid.UUID(str(ref)))
    except ValueError:
        return None


def _keeps_file(ctx: Context, resource: Resource, url: str) -> bool:
    """Whether ``url`` is the one ``package_show`` gives for this uploaded file (the host may
    differ, as behind a proxy: the download path decides, as in ``resource_update``)."""
    own = download_path(resource)
    return url == ctx.url(own) or urlparse(url).path == own


def _resource_plan(ctx: Context, dataset: Dataset, items: Any) -> _ResourcePlan:
    """The changes that make ``items`` the dataset's resource list, CKAN's way: an item with
    the ``id`` of one of its resources updates the fields it sends that differ (a field not
    sent stays), an item without ``id`` is a new API endpoint (``url``), and a resource not
    listed is deleted. Every item is checked before anything is written, and every problem is
    reported under ``resources[i].<field>``. Refused: an id that is not one of this dataset's
    resources or is listed twice, a new ``url`` for an uploaded file (only a new upload through
    ``resource_update`` replaces a file), and a different order — resources have no position
    here, so the kept ones stay in their order and new ones come last."""
    if not isinstance(items, list):
        raise ValidationFailed(fields={"resources": ["Must be a list of resources"]})
    current = {str(r.uuid): r for r in dataset.resources.all()}
    order = {key: position for position, key in enumerate(current)}
    errors: dict[str, list[str]] = {}
    plan = _ResourcePlan()
    listed: dict[str, int] = {}
    last_kept = -1  # position of the last kept resource so far
    first_new: int | None = None  # index of the first new item

    def refuse(index: int, name: str, message: str) -> None:
        errors.setdefault(f"resources[{index}]{'.' + name if name else ''}", []).append(message)

    for index, item in enumerate(items):
        if not isinstance(item, dict):
            refuse(index, "", "Must be a resource: {id, name, description, format, url}")
            continue
        values: dict[str, str] = {}
        for name in _RESOURCE_TEXT:
            value = item.get(name)
            if isinstance(value, (dict, list)):
                refuse(index, name, "Must be a string")
            elif value is not None:
                values[name] = str(value)
        ref = item.get("id")
        if ref in (None, ""):
            if not values.get("url"):
                refuse(
                    index,
                    "url",
                    "Missing value: a new resource here is an API endpoint and needs a url "
                    "(add an uploaded file with resource_create)",
                )
            first_new = index if first_new is None else first_new
            plan.changes.append(_ResourceChange(index, None, values))
            continue
        key = _resource_key(ref)
        resource = current.get(key) if key else None
        if key is None or resource is None:
            refuse(index, "id", f"Resource “{ref}” is not a resource of this dataset")
            continue
        if key in listed:
            refuse(index, "id", f"Resource “{ref}” is listed twice (also resources[{listed[key]}])")
            continue
        listed[key] = index
        if order[key] < last_kept or first_new is not None:
            refuse(
                index,
                "",
                "Resources cannot be reordered (there are no resource positions): list the "
                "resources kept in the order package_show gives them, and new ones last",
            )
        last_kept = max(last_kept, order[key])
        plan.changes.append(
            _ResourceChange(index, resource, _changed_fields(ctx, resource, values, index, refuse))
        )
    for change in plan.changes:
        _check_resource(dataset, change, refuse)
    if errors:
        raise ValidationFailed(fields=errors)
    plan.deletions = [r for key, r in current.items() if key not in listed]
    return plan


def _changed_fields(
    ctx: Context, resource: Resource, values: dict[str, str], index: int, refuse: Refuse
) -> dict[str, str]:
    """The fields of ``values`` that differ from ``resource`` (``url`` only for endpoints)."""
    changed: dict[str, str] = {
        name: values[name]
        for name in ("name", "description")
        if name in values and values[name] != getattr(resource, name)
    }
    if "format" in values and values["format"].strip().upper() != resource.format:
        changed["format"] = values["format"]
    url = values.get("url")
    if url is None:
        return changed
    if resource.kind == Resource.Kind.FILE:
        if not _keeps_file(ctx, resource, url):
            refuse(
                index,
                "url",
                "An uploaded file cannot get a new file or URL through package_update: send "
                "the url package_show gives for it, or use resource_update with an upload",
            )
    elif url != resource.url:
        if not url:
            refuse(index, "url", "Missing value: an API endpoint needs a url")
        changed["url"] = url
        # a new url alone would reset an endpoint's format to "API" in the service
        changed.setdefault("format", resource.format)
    return changed


def _check_resource(dataset: Dataset, change: _ResourceChange, refuse: Refuse) -> None:
    """The model's own checks (a valid URL, a name) on the resource as it would become, so
    that every item's problems are reported before anything is written."""
    fields, resource = change.fields, change.resource
    if resource is not None and not fields:
        return
    url = fields.get("url", resource.url if resource else "")
    # as the services shorten and normalise them
    name = fields.get("name") or (resource.name if resource else url)
    fmt = fields.get("format", resource.format if resource else "") or "API"
    after = Resource(
        dataset=dataset,
        kind=resource.kind if resource else Resource.Kind.API,
        name=name[:200],
        description=fields.get("description", resource.description if resource else ""),
        format=fmt.strip().upper()[:20],
        url=url,
    )
    try:
        after.full_clean(exclude=["file", "version", "dataset", "uuid"])
    except ValidationError as exc:
        for problem, messages in exc.message_dict.items():
            for message in messages:
                refuse(change.index, _RESOURCE_NAMES.get(problem, problem), message)


def _apply_resource_plan(ctx: Context, dataset: Dataset, plan: _ResourcePlan) -> None:
    """Delete, update and create through the resource services (each checks the permission
    and writes its audit entry); runs inside the caller's transaction, so a refusal by a
    service, reported under its item, undoes everything."""
    for resource in plan.deletions:
        services.resource_delete(actor=ctx.user, resource=resource)
    for change in plan.changes:
        try:
            if change.resource is None:
                services.resource_create(
                    actor=ctx.user,
                    dataset=dataset,
                    name=change.fields.get("name", ""),
                    url=change.fields["url"],
                    format=change.fields.get("format", ""),
                    description=change.fields.get("description", ""),
                )
            elif change.fields:
                services.resource_update(
                    actor=ctx.user,
                    resource=change.resource,
                    name=change.fields.get("name"),
                    description=change.fields.get("description"),
                    format=change.fields.get("format"),
                    url=change.fields.get("url"),
                )
        except ValidationError as exc:
            prefix = f"resources[{change.index}]"
            failed = validation_failed(exc, _RESOURCE_NAMES).fields
            raise ValidationFailed(
                fields={
                    prefix if name == "message" else f"{prefix}.{name}": messages
                    for name, messages in failed.items()
                }
            ) from None


@action("package_delete", write=True)
def package_delete(ctx: Context, data: dict[str, Any]) -> None:
    """CKAN sets the package's state to "deleted"; here the dataset is withdrawn from the
    catalogue (``services.dataset_withdraw``) and nothing is destroyed. Returns nothing, as
    CKAN does; deleting a deleted package succeeds again."""
    dataset = dataset_by_ref(ctx, data)
    services.dataset_withdraw(actor=ctx.user, dataset=dataset)
