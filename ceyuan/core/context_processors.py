from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {
        "nav_items": items_for(request.user, request.path),
        "site_name": settings.CEYUAN_SITE_NAME,
        "available_languages": settings.LANGUAGES,
    }
