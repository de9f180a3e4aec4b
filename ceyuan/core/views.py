"""Shell pages: home, language switch, health and readiness, error pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ceyuan.accounts import selectors as account_selectors
from ceyuan.accounts import services as account_services
from ceyuan.accounts.permissions import can_view_audit
from ceyuan.audit.selectors import audit_entries

from .dashboard import cards_for


def home(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "organisation_count": account_selectors.organisations_visible(request.user).count(),
        "cards": cards_for(request),
    }
    if request.user.is_authenticated:
        context["memberships"] = request.user.memberships.select_related("organisation")
        context["my_activity"] = audit_entries(user=request.user.get_username())[:10]
        if can_view_audit(request.user):
            context["recent_activity"] = audit_entries()[:10]
    return render(request, "core/home.html", context)


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in {code for code, _name in settings.LANGUAGES}:
        translation.activate(language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
        )
        if request.user.is_authenticated:
            account_services.user_set_language(actor=request.user, language=language)
    return response


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers and migrations are applied."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    if checks["database"] == "ok":
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} pending"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


def _error(request: HttpRequest, template: str, status: int) -> HttpResponse:
    if request.path.startswith("/api/"):
        from ceyuan.api.errors import error_body

        codes = {403: "permission_denied", 404: "not_found", 500: "server_error"}
        messages = {403: _("Permission denied."), 404: _("Not found."), 500: _("Server error.")}
        return JsonResponse(error_body(status, codes[status], messages[status]), status=status)
    return render(request, template, status=status)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "403.html", 403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "404.html", 404)


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(request, "500.html", 500)
