"""Site-wide CKAN actions: status, organisations, groups (themes), tags and the platform's zones."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from ceyuan.accounts.models import Organisation

from .. import selectors
from ..models import Dataset, Theme, Zone
from .dicts import group_dict, organization_dict, package_dict
from .errors import NotFound
from .registry import Context, action, bool_param, required

CKAN_VERSION = "2.10.4"


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


@action("organization_list")
def organization_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    all_fields = bool_param(data, "all_fields")
    orgs = Organisation.objects.filter(is_active=True).order_by("code")
    if not all_fields:
        return list(orgs.values_list("code", flat=True))
    visible = selectors.datasets_visible(ctx.user).filter(status=Dataset.Status.PUBLISHED)
    counts = dict(visible.values_list("publisher_id").annotate(n=Count("pk")).order_by())
    return [organization_dict(org, counts.get(org.pk, 0)) for org in orgs]


def organisation_by_ref(ref: Any) -> Organisation:
    ref = str(ref)
    org = Organisation.objects.filter(
        Q(code=ref) | (Q(pk=int(ref)) if ref.isdigit() else Q())
    ).first()
    if org is None or not org.is_active:
        raise NotFound("Organization not found")
    return org


@action("organization_show")
def organization_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    org = organisation_by_ref(required(data, "id"))
    visible = selectors.datasets_visible(ctx.user).filter(
        status=Dataset.Status.PUBLISHED, publisher=org
    )
    result = organization_dict(org, visible.count())
    if bool_param(data, "include_datasets"):
        result["packages"] = [
            package_dict(d, ctx, with_resources=False)
            for d in visible.select_related("publisher", "zone")[:1000]
        ]
    return result


@action("group_list")
def group_list(ctx: Context, data: dict[str, Any]) -> list[Any]:
    themes = Theme.objects.order_by("code")
    if bool_param(data, "all_fields"):
        return [group_dict(t) for t in themes]
    return list(themes.values_list("code", flat=True))


@action("group_show")
def group_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    ref = str(required(data, "id"))
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
