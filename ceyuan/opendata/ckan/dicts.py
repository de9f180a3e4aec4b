"""Platform objects as CKAN dictionaries: organisations, groups (themes), resources, packages.

Package dicts carry CKAN's keys plus the platform's own (opening level, security grade, zone,
…), mirrored in ``extras``. A withdrawn dataset's ``state`` is "deleted", as in CKAN.
"""

from __future__ import annotations

from typing import Any

from ceyuan.accounts.models import Organisation

from .. import levels
from ..models import Dataset, Resource, Theme
from .registry import Context


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


def download_path(resource: Resource) -> str:
    """The path of an uploaded file's download, the ``url`` CKAN clients see for it."""
    return f"/data/resources/{resource.uuid}/download/"


def resource_dict(resource: Resource, ctx: Context) -> dict[str, Any]:
    is_file = resource.kind == Resource.Kind.FILE
    url = ctx.url(download_path(resource)) if is_file else resource.url
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
