"""Permission-checked fetches by id: the only way views and the API load protected objects."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from . import permissions
from .models import ApiToken, Membership, Organisation, User


def signed_in(request: Any) -> User:
    """The user of a request that must come from a signed-in user (a Django or DRF request
    behind ``login_required`` or ``IsAuthenticated``); anyone else is refused."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied
    return user


def access_organisation(user: Any, organisation_id: int | str) -> Organisation:
    """Organisations are public records; inactive ones are visible to coordinators only."""
    org = Organisation.objects.filter(pk=organisation_id).first()
    if org is None or (not org.is_active and not permissions.is_coordinator(user)):
        raise Http404
    return org


def access_organisation_for_edit(user: Any, organisation_id: int | str) -> Organisation:
    org = access_organisation(user, organisation_id)
    if not permissions.can_manage_organisation(user, org):
        raise PermissionDenied
    return org


def access_membership(user: Any, membership_id: int | str) -> Membership:
    membership = (
        Membership.objects.select_related("organisation", "user").filter(pk=membership_id).first()
    )
    if membership is None:
        raise Http404
    if membership.user_id != getattr(user, "pk", None) and not (
        permissions.can_view_organisation_members(user, membership.organisation)
    ):
        raise Http404
    return membership


def access_token(user: Any, token_id: int | str) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or (
        token.user_id != getattr(user, "pk", None) and not permissions.is_platform_admin(user)
    ):
        raise Http404
    return token
