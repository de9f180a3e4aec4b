"""The CKAN action registry: the call context, ``@action`` and ``run``, and parameter parsing.

An action is a function of (context, data dict) registered under its CKAN name; write actions
are marked so that the endpoint refuses them on GET, to data API keys and to anonymous callers.
Parameter helpers raise ``ValidationFailed`` naming the parameter, as CKAN does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from ..models import ApiKey
from .errors import BadRequest, NotAuthorized, ValidationFailed


@dataclass
class Context:
    request: HttpRequest
    user: Any
    api_key: ApiKey | None

    @property
    def ip(self) -> str | None:
        return self.request.META.get("REMOTE_ADDR")

    def url(self, path: str) -> str:
        return self.request.build_absolute_uri(path)


Action = Callable[[Context, dict[str, Any]], Any]
ACTIONS: dict[str, Action] = {}
WRITE_ACTIONS: set[str] = set()


def action(name: str, *, write: bool = False) -> Callable[[Action], Action]:
    def register(fn: Action) -> Action:
        ACTIONS[name] = fn
        if write:
            WRITE_ACTIONS.add(name)
        return fn

    return register


def run(name: str, ctx: Context, data: dict[str, Any]) -> Any:
    fn = ACTIONS.get(name)
    if fn is None:
        raise BadRequest(f"Action name not known: {name}")
    if name in WRITE_ACTIONS and not getattr(ctx.user, "is_authenticated", False):
        raise NotAuthorized(
            "Access denied: log in or send an API token in the Authorization header"
        )
    try:
        return fn(ctx, data)
    except PermissionDenied as exc:
        raise NotAuthorized(f"Access denied: {exc}") from None


# --- parameters -----------------------------------------


def required(data: dict[str, Any], *names: str) -> Any:
    """The first of ``names`` given; a missing value is reported under the first name."""
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return value
    raise ValidationFailed(fields={names[0]: ["Missing value"]})


def int_param(
    data: dict[str, Any], name: str, default: int, *, low: int = 0, high: int = 1000
) -> int:
    raw = data.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed(fields={name: ["Invalid integer"]}) from None
    if value < low:
        raise ValidationFailed(fields={name: [f"Must be a natural number ≥ {low}"]})
    return min(value, high)


def json_param(data: dict[str, Any], name: str, default: Any) -> Any:
    raw = data.get(name, default)
    if isinstance(raw, str):
        try:
            return json.loads(raw) if raw.strip() else default
        except json.JSONDecodeError:
            raise ValidationFailed(fields={name: ["Could not parse as valid JSON"]}) from None
    return raw


def bool_param(data: dict[str, Any], name: str, default: bool = False) -> bool:
    raw = data.get(name, default)
    if isinstance(raw, str):
        return raw.lower() in ("true", "1", "yes", "on")
    return bool(raw)


def validation_failed(error: ValidationError, names: Mapping[str, str]) -> ValidationFailed:
    """A service's ValidationError as CKAN's, its fields renamed to CKAN's (``names``)."""
    if hasattr(error, "error_dict"):
        fields = {names.get(k, k): [str(m) for m in v] for k, v in error.message_dict.items()}
        if any(e.code == "unique" for e in error.error_dict.get("name", [])):
            fields["name"] = ["That URL is already in use."]  # CKAN's own wording
        return ValidationFailed(fields=fields)
    return ValidationFailed(fields={"message": [str(m) for m in error.messages]})
