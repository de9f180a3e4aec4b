"""Who may do what: the role rules in one place.

Roles are held through memberships of organisations. A platform administrator (or a Django
superuser) may do everything; a coordinator (a member of the municipal AI work team with the
coordinator role) sees and reviews everything across units; a unit officer acts for their own
organisation; a member reads what their organisation holds; a reviewer takes part in reviews
they are assigned. Anonymous visitors read only what is public.
"""

from __future__ import annotations

from typing import Any

from .models import Membership, Organisation, Role


def _roles(user: Any) -> set[tuple[int, str]]:
    """(organisation id, role) pairs of ``user``, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached: set[tuple[int, str]] | None = getattr(user, "_ceyuan_roles", None)
    if cached is None:
        cached = set(
            Membership.objects.filter(user=user, organisation__is_active=True).values_list(
                "organisation_id", "role"
            )
        )
        user._ceyuan_roles = cached
    return cached


def forget_roles(user: Any) -> None:
    if hasattr(user, "_ceyuan_roles"):
        del user._ceyuan_roles


def has_role(user: Any, role: str) -> bool:
    return any(r == role for _org, r in _roles(user))


def is_platform_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.PLATFORM_ADMIN)


def is_coordinator(user: Any) -> bool:
    """Coordinators and administrators see across all units."""
    return is_platform_admin(user) or has_role(user, Role.COORDINATOR)


def organisation_ids(user: Any, roles: tuple[str, ...] | None = None) -> set[int]:
    return {org for org, role in _roles(user) if roles is None or role in roles}


def can_manage_organisation(user: Any, organisation: Organisation) -> bool:
    """Edit an organisation's profile and its memberships."""
    return is_coordinator(user) or organisation.pk in organisation_ids(user, (Role.UNIT_OFFICER,))


def can_view_organisation_members(user: Any, organisation: Organisation) -> bool:
    return is_coordinator(user) or organisation.pk in organisation_ids(user)


def can_grant_role(user: Any, organisation: Organisation, role: str) -> bool:
    """Only administrators make administrators; coordinators grant any other role; a unit
    officer adds members and officers to their own unit."""
    if role == Role.PLATFORM_ADMIN:
        return is_platform_admin(user)
    if role in (Role.COORDINATOR, Role.REVIEWER):
        return is_coordinator(user)
    return can_manage_organisation(user, organisation)


def can_view_audit(user: Any) -> bool:
    return is_coordinator(user)


def can_create_organisation(user: Any) -> bool:
    return is_coordinator(user)
