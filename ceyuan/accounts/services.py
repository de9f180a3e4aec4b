"""The write path for users, organisations, memberships and tokens.

Every function here checks permission, validates, writes inside one transaction and records an
audit entry in that same transaction. Views and API endpoints call these and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ceyuan.audit.services import audit_record, change, diff

from . import permissions
from .models import ApiToken, Membership, Organisation, Role, User
from .tokens import token_generate

ORGANISATION_FIELDS = ("code", "name_zh", "name_en", "kind", "description", "is_active")
COORDINATOR_ONLY_FIELDS = ("code", "kind", "is_active")


def _organisation_state(org: Organisation) -> dict[str, Any]:
    return {field: getattr(org, field) for field in ORGANISATION_FIELDS}


def _full_clean(obj: Any, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude)


def organisation_create(
    *,
    actor: Any,
    code: str,
    name_zh: str,
    kind: str,
    name_en: str = "",
    description: str = "",
) -> Organisation:
    if actor is not None and not permissions.can_create_organisation(actor):
        raise PermissionDenied(_("Only coordinators can create organisations."))
    org = Organisation(
        code=code, name_zh=name_zh, name_en=name_en, kind=kind, description=description
    )
    _full_clean(org)
    with transaction.atomic():
        org.save()
        audit_record(
            actor=actor,
            action="organisation.create",
            target=org,
            changes=diff({}, _organisation_state(org)),
        )
    return org


def organisation_update(*, actor: Any, organisation: Organisation, **fields: Any) -> Organisation:
    if not permissions.can_manage_organisation(actor, organisation):
        raise PermissionDenied(_("You cannot edit this organisation."))
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    # Code, kind and active state decide what an organisation may do elsewhere (a department
    # publishes in every zone, an operator only in its own): only coordinators change them.
    if not permissions.is_coordinator(actor):
        for name in COORDINATOR_ONLY_FIELDS:
            if name in fields and fields[name] != getattr(organisation, name):
                raise ValidationError({name: _("Only coordinators can change this field.")})
    before = _organisation_state(organisation)
    for name, value in fields.items():
        setattr(organisation, name, value)
    _full_clean(organisation)
    with transaction.atomic():
        organisation.save()
        changes = diff(before, _organisation_state(organisation))
        if changes:
            audit_record(
                actor=actor, action="organisation.update", target=organisation, changes=changes
            )
    return organisation


def membership_add(*, actor: Any, user: User, organisation: Organisation, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if actor is not None and not permissions.can_grant_role(actor, organisation, role):
        raise PermissionDenied(_("You cannot grant this role in this organisation."))
    if Membership.objects.filter(user=user, organisation=organisation, role=role).exists():
        raise ValidationError({"role": _("This user already has this role here.")})
    membership = Membership(user=user, organisation=organisation, role=role)
    with transaction.atomic():
        membership.save()
        audit_record(
            actor=actor,
            action="membership.add",
            target=membership,
            changes={"user": user.username, "organisation": organisation.code, "role": role},
        )
    permissions.forget_roles(user)
    return membership


def membership_remove(*, actor: Any, membership: Membership) -> None:
    if not permissions.can_grant_role(actor, membership.organisation, membership.role):
        raise PermissionDenied(_("You cannot remove this membership."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="membership.remove",
            target=membership,
            changes={
                "user": membership.user.username,
                "organisation": membership.organisation.code,
                "role": membership.role,
            },
        )
        membership.delete()
    permissions.forget_roles(membership.user)


def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_superuser: bool = False,
) -> User:
    if actor is not None and not permissions.is_coordinator(actor):
        raise PermissionDenied(_("Only coordinators can create users."))
    if is_superuser and actor is not None and not permissions.is_platform_admin(actor):
        raise PermissionDenied(_("Only administrators can create administrators."))
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    _full_clean(user, exclude=["password"])
    with transaction.atomic():
        user.save()
        audit_record(
            actor=actor,
            action="user.create",
            target=user,
            changes={"username": username, "email": email, "is_superuser": is_superuser},
        )
    return user


def user_set_language(*, actor: User, language: str) -> User:
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        raise ValidationError({"language": _("Unknown language.")})
    if actor.language != language:
        with transaction.atomic():
            before = actor.language
            actor.language = language
            actor.save(update_fields=["language"])
            audit_record(
                actor=actor,
                action="user.set_language",
                target=actor,
                changes={"language": change(before, language)},
            )
    return actor


def user_password_changed(*, actor: User) -> None:
    """Record a password change made through Django's password views."""
    audit_record(actor=actor, action="user.password_change", target=actor)


def token_create(
    *, actor: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``actor``; returns the token row and the raw token, shown once."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    raw, prefix, digest = token_generate()
    token = ApiToken(
        user=actor, name=name[:100], prefix=prefix, digest=digest, expires_at=expires_at
    )
    with transaction.atomic():
        token.save()
        audit_record(
            actor=actor,
            action="token.create",
            target=token,
            changes={"name": token.name, "prefix": prefix},
        )
    return token, raw


def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk and not permissions.is_platform_admin(actor):
        raise PermissionDenied(_("You cannot revoke this token."))
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="token.revoke", target=token)
    return token


def bootstrap_admin(*, username: str, password: str, email: str = "") -> User:
    """Create the first administrator (no actor: the system does it at setup)."""
    return user_create(
        actor=None, username=username, password=password, email=email, is_superuser=True
    )
