"""The CKAN Action API endpoint: ``/api/3/action/<name>`` (GET or POST, JSON or multipart)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from .. import auth, services
from . import actions
from .errors import BadRequest, CkanError, NotAuthorized, RateLimited

log = logging.getLogger(__name__)


def _help(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(f"/api/3/action/help_show?name={name}")


def _data(request: HttpRequest) -> dict[str, Any]:
    if request.method == "GET":
        return {k: (v[0] if len(v) == 1 else v) for k, v in request.GET.lists()}
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/form-data") or content_type.startswith(
        "application/x-www-form-urlencoded"
    ):
        data: dict[str, Any] = {k: (v[0] if len(v) == 1 else v) for k, v in request.POST.lists()}
        data.update({k: f for k, f in request.FILES.items()})
        return data
    body = request.body
    if not body.strip():
        return {}
    try:
        parsed = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadRequest(f"JSON Error: {exc}") from None
    if not isinstance(parsed, dict):
        raise BadRequest("JSON Error: the request body must be a JSON object")
    return parsed


@csrf_exempt
def action_view(request: HttpRequest, name: str) -> JsonResponse:
    help_url = _help(request, name)
    if request.method not in ("GET", "POST"):
        return JsonResponse(
            {
                "help": help_url,
                "success": False,
                "error": {"__type": "Bad request", "message": "Use GET or POST"},
            },
            status=405,
        )
    try:
        if name in actions.WRITE_ACTIONS and request.method != "POST":
            raise BadRequest(f"Action {name} changes data: use POST")
        user: Any = request.user if request.user.is_authenticated else AnonymousUser()
        api_key = None
        try:
            found = auth.authenticate(request)
        except auth.CredentialError as exc:
            raise NotAuthorized(str(exc)) from None
        except services.RateLimited as exc:
            raise RateLimited(str(exc)) from None
        if found is not None:
            user, api_key = found
            if api_key is not None and name in actions.WRITE_ACTIONS:
                # A data API key is for reading data; writes need the publisher's own token.
                raise NotAuthorized("A data API key can only read; use an API token to write")
        elif (
            request.method == "POST"
            and name in actions.WRITE_ACTIONS
            and request.user.is_authenticated
        ):
            # A browser session writes only with a CSRF token; API clients send a token.
            from django.middleware.csrf import CsrfViewMiddleware

            reason = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})  # type: ignore[arg-type]
            if reason is not None:
                raise NotAuthorized("CSRF check failed")
        data = _data(request)
        ctx = actions.Context(request=request, user=user, api_key=api_key)
        result = actions.run(name, ctx, data)
    except CkanError as exc:
        return JsonResponse(
            {"help": help_url, "success": False, "error": exc.body()},
            status=exc.status,
            json_dumps_params={"ensure_ascii": False},
        )
    return JsonResponse(
        {"help": help_url, "success": True, "result": result},
        json_dumps_params={"ensure_ascii": False},
    )
