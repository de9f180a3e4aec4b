"""The navigation registry: each app registers the pages it offers, so the menu never shows a
module that does not exist, and shows a user only what their role lets them open."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


def _always(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Any  # lazy translation
    order: int = 50
    visible: Callable[[Any], bool] = _always


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.url_name] = item


def items_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    result = []
    for item in sorted(_ITEMS.values(), key=lambda i: i.order):
        if not item.visible(user):
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        result.append({"url": url, "label": item.label, "active": active})
    return result
