"""Reads for accounts and organisations, scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from . import permissions
from .models import ApiToken, Membership, Organisation


def organisations_visible(user: Any) -> QuerySet[Organisation]:
    orgs = Organisation.objects.annotate(member_count=Count("memberships")).order_by("kind", "code")
    if not permissions.is_coordinator(user):
        orgs = orgs.filter(is_active=True)
    return orgs


def organisation_search(user: Any, *, q: str = "", kind: str = "") -> QuerySet[Organisation]:
    orgs = organisations_visible(user)
    if q:
        orgs = orgs.filter(Q(name_zh__icontains=q) | Q(name_en__icontains=q) | Q(code__icontains=q))
    if kind:
        orgs = orgs.filter(kind=kind)
    return orgs


def memberships_visible(user: Any) -> QuerySet[Membership]:
    memberships = Membership.objects.select_related("user", "organisation")
    if permissions.is_coordinator(user):
        return memberships
    if not getattr(user, "is_authenticated", False):
        return memberships.none()
    return memberships.filter(
        Q(user=user) | Q(organisation_id__in=permissions.organisation_ids(user))
    )


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
