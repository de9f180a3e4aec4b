"""Permission-checked fetches by id: the only way views and APIs load protected objects.

Invisible things are reported as missing (404), so a not-open dataset does not reveal that
it exists (``permissions.can_view_metadata`` decides, withdrawn datasets included).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404

from ceyuan.accounts.permissions import is_coordinator

from . import permissions
from .models import ApiKey, Application, Dataset, DpStatistic, Grant, Release, Resource


def _dataset_lookup(ref: int | str) -> Q:
    """An id (digits), a UUID, or a name (names hold a letter, so an id never is one; a name
    may look like a UUID and is matched as both)."""
    ref = str(ref)
    if ref.isdigit():
        return Q(pk=int(ref))
    try:
        uuid.UUID(ref)
    except ValueError:
        return Q(name=ref)
    return Q(uuid=ref) | Q(name=ref)


def access_dataset(user: Any, ref: int | str) -> Dataset:
    """By id, name or UUID."""
    try:
        dataset = (
            Dataset.objects.select_related("publisher", "zone").filter(_dataset_lookup(ref)).first()
        )
    except (ValueError, ValidationError):  # not an id or UUID at all
        dataset = None
    if dataset is None or not permissions.can_view_metadata(user, dataset):
        raise Http404
    return dataset


def access_dataset_for_edit(user: Any, ref: int | str) -> Dataset:
    dataset = access_dataset(user, ref)
    if not permissions.can_edit_dataset(user, dataset):
        raise PermissionDenied
    return dataset


def access_release(user: Any, release_id: int | str) -> Release:
    """Releases (and their reports) are seen by the publishing unit and coordinators only."""
    release = Release.objects.select_related("dataset").filter(pk=release_id).first()
    if release is None or not (
        permissions.can_edit_dataset(user, release.dataset)
        or permissions.can_review(user, release.dataset)
    ):
        raise Http404
    return release


def access_dp_statistic(user: Any, statistic_id: int | str) -> DpStatistic:
    """Published statistics are seen with the dataset; others by its publishers only."""
    statistic = (
        DpStatistic.objects.select_related("dataset", "release").filter(pk=statistic_id).first()
    )
    if statistic is None:
        raise Http404
    dataset = statistic.dataset
    if statistic.status == DpStatistic.Status.PUBLISHED:
        visible = permissions.can_view_metadata(user, dataset)
    else:
        visible = permissions.can_edit_dataset(user, dataset) or permissions.can_review(
            user, dataset
        )
    if not visible:
        raise Http404
    return statistic


def access_resource(user: Any, ref: int | str) -> Resource:
    """By id or UUID; visible when its dataset's metadata is."""
    ref = str(ref)
    query = Q(pk=int(ref)) if ref.isdigit() else Q(uuid=ref)
    try:
        resource = (
            Resource.objects.select_related("dataset", "dataset__publisher").filter(query).first()
        )
    except (ValueError, ValidationError):  # not an id or UUID at all
        resource = None
    if resource is None or not permissions.can_view_metadata(user, resource.dataset):
        raise Http404
    return resource


def access_application(user: Any, application_id: int | str) -> Application:
    application = (
        Application.objects.select_related("dataset", "dataset__publisher", "applicant")
        .filter(pk=application_id)
        .first()
    )
    if application is None or not (
        application.applicant_id == getattr(user, "pk", None)
        or permissions.can_review(user, application.dataset)
    ):
        raise Http404
    return application


def access_grant(user: Any, grant_id: int | str) -> Grant:
    grant = Grant.objects.select_related("dataset", "grantee").filter(pk=grant_id).first()
    if grant is None or not (
        grant.grantee_id == getattr(user, "pk", None) or permissions.can_review(user, grant.dataset)
    ):
        raise Http404
    return grant


def access_api_key(user: Any, key_id: int | str) -> ApiKey:
    key = ApiKey.objects.filter(pk=key_id).first()
    if key is None or (key.user_id != getattr(user, "pk", None) and not is_coordinator(user)):
        raise Http404
    return key
