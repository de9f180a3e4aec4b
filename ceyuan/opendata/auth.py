"""Credentials for data reads outside a browser session.

Accepted in the ``Authorization`` header: the platform's personal tokens (``cy_…``, as
``ceyuan.accounts`` issues them) and this app's data API keys (``od_…``), either raw — as CKAN
clients send them — or after ``Bearer``/``Token``. ``X-CKAN-API-Key`` is read too. Data API
keys are rate-limited per minute.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from ceyuan.accounts.models import ApiToken
from ceyuan.accounts.tokens import token_matches, token_split

from . import services
from .models import ApiKey


class CredentialError(Exception):
    pass


def _raw_credential(request: HttpRequest) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "") or request.META.get(
        "HTTP_X_CKAN_API_KEY", ""
    )
    parts = header.strip().split()
    if not parts:
        return ""
    if len(parts) == 2 and parts[0].lower() in ("bearer", "token"):
        return parts[1]
    if len(parts) == 1:
        return parts[0]
    raise CredentialError("Malformed Authorization header.")


def authenticate(request: HttpRequest) -> tuple[Any, ApiKey | None] | None:
    """(user, data API key or None) for the request's credential; None when it has none.

    Raises CredentialError for a bad credential and services.RateLimited past a key's limit.
    """
    raw = _raw_credential(request)
    if not raw:
        return None
    if raw.startswith(services.KEY_PREFIX + "_"):
        key = services.api_key_check(raw)
        if key is None:
            raise CredentialError("Invalid or revoked API key.")
        services.api_key_count(key)
        return key.user, key
    prefix = token_split(raw)
    token = (
        ApiToken.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
    )
    if token is None or not token_matches(raw, token.digest):
        raise CredentialError("Invalid API token.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise CredentialError("This token has been revoked.")
    if token.expires_at is not None and token.expires_at <= now:
        raise CredentialError("This token has expired.")
    if not token.user.is_active:
        raise CredentialError("This account is disabled.")
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, None


class DataApiKeyAuthentication(authentication.BaseAuthentication):
    """DRF: data API keys (``od_…``) for the open-data REST API, with their rate limit."""

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        raw = _raw_credential(request)  # type: ignore[arg-type]
        if not raw.startswith(services.KEY_PREFIX + "_"):
            return None
        key = services.api_key_check(raw)
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        try:
            services.api_key_count(key)
        except services.RateLimited as exc:
            raise exceptions.Throttled(detail=str(exc)) from None
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="opendata"'
