"""Data API keys: creation, revocation, checking and the per-minute rate limit.

Part of the write path (re-exported by ``services``): the same pattern — permission,
validation, ``transaction.atomic()``, write, ``audit_record``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ceyuan.accounts.permissions import is_coordinator
from ceyuan.audit.services import audit_record

from . import permissions
from .models import ApiKey, ApiKeyWindow, Application


class RateLimited(Exception):
    """Too many requests with one API key in the current minute."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"rate limit of {limit} requests per minute exceeded")
        self.limit = limit


KEY_PREFIX = "od"


def _key_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_key_create(
    *, actor: Any, name: str, application: Application | None = None, rate_limit: int = 60
) -> tuple[ApiKey, str]:
    if not permissions.is_signed_in(actor):
        raise PermissionDenied(_("Log in to create API keys."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the key a name.")})
    if not 1 <= rate_limit <= 6000 or (rate_limit > 600 and not is_coordinator(actor)):
        raise ValidationError({"rate_limit": _("Choose between 1 and 600 requests per minute.")})
    if application is not None and (
        application.applicant_id != actor.pk or application.status != Application.Status.APPROVED
    ):
        raise ValidationError(
            {"application": _("Bind the key to one of your approved applications.")}
        )
    prefix = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        user=actor,
        application=application,
        name=name[:100],
        prefix=prefix,
        digest=_key_digest(raw),
        rate_limit=rate_limit,
    )
    with transaction.atomic():
        key.save()
        audit_record(
            actor=actor,
            action="opendata.api_key.create",
            target=key,
            changes={"prefix": prefix, "rate_limit": rate_limit},
        )
    return key, raw


def api_key_revoke(*, actor: Any, key: ApiKey) -> ApiKey:
    if key.user_id != getattr(actor, "pk", None) and not is_coordinator(actor):
        raise PermissionDenied(_("You cannot revoke this key."))
    if key.revoked_at is None:
        with transaction.atomic():
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record(actor=actor, action="opendata.api_key.revoke", target=key)
    return key


def api_key_check(raw: str) -> ApiKey | None:
    """The live key for ``raw``, or None. Does not count the request."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = ApiKey.objects.select_related("user", "application").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.digest, _key_digest(raw)):
        return None
    if key.revoked_at is not None or not key.user.is_active:
        return None
    return key


def api_key_count(key: ApiKey, now: dt.datetime | None = None) -> int:
    """Count one request in the current minute; raise RateLimited past the key's limit."""
    minute = int((now or timezone.now()).timestamp() // 60)
    with transaction.atomic():
        updated = ApiKeyWindow.objects.filter(key=key, minute=minute).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    ApiKeyWindow.objects.create(key=key, minute=minute, count=1)
            except IntegrityError:
                ApiKeyWindow.objects.filter(key=key, minute=minute).update(count=F("count") + 1)
        count = ApiKeyWindow.objects.filter(key=key, minute=minute).values_list("count", flat=True)[
            0
        ]
    if count > key.rate_limit:
        raise RateLimited(key.rate_limit)
    return count
