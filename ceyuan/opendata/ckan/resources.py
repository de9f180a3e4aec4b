"""CKAN resource actions: show, create, update, patch and delete.

Writes go through ``ceyuan.opendata.resources`` (re-exported by ``services``), so a new upload
is checked exactly as on creation — parsed, and refused if it holds personal information.
``resource_update`` follows CKAN: the resource becomes what is sent (a description that is
not sent is cleared); ``resource_patch`` changes only what is sent. Sending back the URL that
``resource_show`` gave for an uploaded file (or ``url_type: "upload"``) keeps the file.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.http import Http404

from .. import access, services
from ..models import Resource
from .dicts import download_path, resource_dict
from .errors import NotFound, ValidationFailed
from .registry import Context, action, json_param, required, validation_failed

_NAMES = {"file": "upload", "kind": "url"}  # service field → CKAN field


def resource_by_ref(ctx: Context, data: dict[str, Any], *names: str) -> Resource:
    """The resource named by ``id``, through ``access``: invisible is Not Found."""
    ref = required(data, *(names or ("id",)))
    try:
        return access.access_resource(ctx.user, ref)
    except Http404:
        raise NotFound("Resource was not found.") from None


def _upload(data: dict[str, Any]) -> tuple[bytes | None, str]:
    """The file sent as ``upload`` (multipart), as (content, file name)."""
    upload = data.get("upload")
    if upload is None or upload == "":
        return None, ""
    if not hasattr(upload, "read"):
        raise ValidationFailed(fields={"upload": ["Send the file as multipart/form-data"]})
    return upload.read(), str(getattr(upload, "name", "") or "upload")


def _text(data: dict[str, Any], name: str) -> str | None:
    """A text parameter, or None when it is not sent."""
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        raise ValidationFailed(fields={name: ["Must be a string"]})
    return str(value)


@action("resource_show")
def resource_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return resource_dict(resource_by_ref(ctx, data), ctx)


@action("resource_create", write=True)
def resource_create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    ref = required(data, "package_id")
    try:
        dataset = access.access_dataset(ctx.user, ref)
    except Http404:
        raise NotFound("Dataset not found") from None
    content, filename = _upload(data)
    url = _text(data, "url") or ""
    if content is None and not url:
        raise ValidationFailed(fields={"url": ["Missing value: give a url or an upload"]})
    try:
        resource = services.resource_create(
            actor=ctx.user,
            dataset=dataset,
            name=_text(data, "name") or "",
            content=content,
            filename=filename,
            url=url if content is None else "",
            format=_text(data, "format") or "",
            description=_text(data, "description") or "",
            schema=json_param(data, "schema", None),
        )
    except ValidationError as exc:
        raise validation_failed(exc, _NAMES) from None
    return resource_dict(resource, ctx)


def _keeps_data(resource: Resource, data: dict[str, Any], url: str | None) -> bool:
    """Whether the ``url`` sent leaves the resource's file or endpoint as it is."""
    if url is None or url == resource.url:
        return True
    if resource.kind != Resource.Kind.FILE:
        return False
    return data.get("url_type") == "upload" or urlparse(url).path == download_path(resource)


def _change(ctx: Context, data: dict[str, Any], *, replace: bool) -> dict[str, Any]:
    resource = resource_by_ref(ctx, data)
    package = data.get("package_id")
    dataset = resource.dataset
    if package not in (None, "") and str(package) not in (
        str(dataset.uuid),
        dataset.name,
        str(dataset.pk),
    ):
        raise ValidationFailed(fields={"package_id": ["A resource cannot move to another dataset"]})
    content, filename = _upload(data)
    url = None if content is not None else _text(data, "url")
    if _keeps_data(resource, data, url):
        url = None
    name = _text(data, "name")
    description = _text(data, "description")
    if replace:
        # CKAN's resource_update: what is not sent is not kept — except the name, which a
        # resource must have: it becomes the new file's name or URL, or stays.
        description = description or ""
        name = name or filename or url or None
    try:
        updated = services.resource_update(
            actor=ctx.user,
            resource=resource,
            name=name,
            description=description,
            format=_text(data, "format"),
            url=url,
            content=content,
            filename=filename,
            schema=json_param(data, "schema", None),
        )
    except ValidationError as exc:
        raise validation_failed(exc, _NAMES) from None
    return resource_dict(updated, ctx)


@action("resource_update", write=True)
def resource_update(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _change(ctx, data, replace=True)


@action("resource_patch", write=True)
def resource_patch(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return _change(ctx, data, replace=False)


@action("resource_delete", write=True)
def resource_delete(ctx: Context, data: dict[str, Any]) -> None:
    """Removes the resource, its table and its file (returns nothing, as CKAN does)."""
    services.resource_delete(actor=ctx.user, resource=resource_by_ref(ctx, data))
