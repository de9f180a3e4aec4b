from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from .navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    # An error page can render before the authentication middleware has run.
    user = getattr(request, "user", None) or AnonymousUser()
    return {
        "nav_items": items_for(user, request.path),
        "site_name": settings.CEYUAN_SITE_NAME,
        "available_languages": settings.LANGUAGES,
    }
