"""Who may see and read what in the open-data catalogue.

- Metadata of unconditional and conditional datasets is public once published. Metadata of
  not-open datasets (and of drafts) is seen only by the publisher's members, coordinators, and
  the operator of the dataset's zone.
- Data of unconditional datasets is read by anyone, anonymously. Conditional data is read by
  the publisher's members, coordinators, the zone's operator, and holders of a valid grant —
  checked at the moment of each read. Not-open data stays with the publisher and coordinators.
- Unit officers of the publisher publish, edit and review applications; an operator
  organisation's officers publish derived products inside its own zone only.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from ceyuan.accounts.models import Role
from ceyuan.accounts.permissions import is_coordinator, organisation_ids

from . import levels
from .models import Dataset, Grant, Zone, ZoneOperator

PUBLISHING_ROLES = (Role.UNIT_OFFICER,)


def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def operated_zone_ids(user: Any, roles: tuple[str, ...] | None = None) -> set[int]:
    """Zones whose operator organisation ``user`` belongs to, for the current period."""
    if not is_signed_in(user):
        return set()
    orgs = organisation_ids(user, roles)
    if not orgs:
        return set()
    now = timezone.now()
    return set(
        ZoneOperator.objects.filter(
            organisation_id__in=orgs,
            revoked_at__isnull=True,
            valid_from__lte=now,
            valid_until__gt=now,
        ).values_list("zone_id", flat=True)
    )


def _is_publisher_member(user: Any, dataset: Dataset) -> bool:
    return dataset.publisher_id in organisation_ids(user)


def _operates(user: Any, dataset: Dataset) -> bool:
    return dataset.zone_id is not None and dataset.zone_id in operated_zone_ids(user)


def can_view_metadata(user: Any, dataset: Dataset) -> bool:
    """Published open datasets: everyone. Otherwise coordinators and the publisher's members;
    zone operators too, except for a withdrawn dataset (CKAN: deleted), which has left the
    catalogue."""
    if dataset.status == Dataset.Status.PUBLISHED and dataset.access != levels.NON_PUBLIC:
        return True
    if is_coordinator(user) or _is_publisher_member(user, dataset):
        return True
    return dataset.status != Dataset.Status.WITHDRAWN and _operates(user, dataset)


def metadata_filter(user: Any) -> Q:
    """The same rule as ``can_view_metadata``, as a query filter."""
    public = Q(status=Dataset.Status.PUBLISHED) & ~Q(access=levels.NON_PUBLIC)
    if not is_signed_in(user):
        return public
    if is_coordinator(user):
        return Q()
    operated = Q(zone_id__in=operated_zone_ids(user)) & ~Q(status=Dataset.Status.WITHDRAWN)
    return public | Q(publisher_id__in=organisation_ids(user)) | operated


def valid_grant(user: Any, dataset: Dataset) -> Grant | None:
    if not is_signed_in(user):
        return None
    now = timezone.now()
    return (
        Grant.objects.filter(
            grantee=user,
            dataset=dataset,
            revoked_at__isnull=True,
            valid_from__lte=now,
            expires_at__gt=now,
        )
        .order_by("-expires_at")
        .first()
    )


def data_access(user: Any, dataset: Dataset) -> tuple[bool, Grant | None]:
    """Whether ``user`` may read the data now, and the grant that allows it (if any)."""
    if not can_view_metadata(user, dataset):
        return False, None
    if dataset.status != Dataset.Status.PUBLISHED and not (
        is_coordinator(user) or _is_publisher_member(user, dataset)
    ):
        return False, None
    if dataset.access == levels.PUBLIC:
        return True, None
    if is_coordinator(user) or _is_publisher_member(user, dataset):
        return True, None
    if dataset.access == levels.NON_PUBLIC:
        return False, None
    if _operates(user, dataset):
        return True, None
    grant = valid_grant(user, dataset)
    return grant is not None, grant


def can_publish_for(user: Any, organisation_id: int, zone: Zone | None) -> bool:
    """Create a dataset under ``organisation_id`` (optionally in ``zone``)."""
    if is_coordinator(user):
        return True
    if organisation_id not in organisation_ids(user, PUBLISHING_ROLES):
        return False
    # An operator organisation publishes only inside the zones it operates; a publishing
    # department may place its datasets in any zone.
    operated_by_org = set(
        ZoneOperator.objects.filter(organisation_id=organisation_id).values_list(
            "zone_id", flat=True
        )
    )
    if operated_by_org and not _is_department(organisation_id):
        return zone is not None and zone.pk in operated_zone_ids(user, PUBLISHING_ROLES)
    return True


def _is_department(organisation_id: int) -> bool:
    from ceyuan.accounts.models import Organisation

    return Organisation.objects.filter(
        pk=organisation_id,
        kind__in=[Organisation.Kind.DEPARTMENT, Organisation.Kind.DISTRICT],
    ).exists()


def can_edit_dataset(user: Any, dataset: Dataset) -> bool:
    if is_coordinator(user):
        return True
    if dataset.publisher_id not in organisation_ids(user, PUBLISHING_ROLES):
        return False
    return can_publish_for(user, dataset.publisher_id, dataset.zone)


def can_review(user: Any, dataset: Dataset) -> bool:
    """Review applications: the publishing unit's officers (and coordinators)."""
    return is_coordinator(user) or dataset.publisher_id in organisation_ids(user, PUBLISHING_ROLES)


def can_view_stats(user: Any, dataset: Dataset) -> bool:
    return is_coordinator(user) or _is_publisher_member(user, dataset)


def can_manage_zones(user: Any) -> bool:
    return is_coordinator(user)
