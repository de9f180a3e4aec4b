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
    """The items ``user`` may see; the one whose address is the longest prefix of
    ``current_path`` is active (on /plan/reports/ the reports item, not also /plan/)."""
    shown = [
        (item, reverse(item.url_name))
        for item in sorted(_ITEMS.values(), key=lambda i: i.order)
        if item.visible(user)
    ]
    matching = [
        url
        for _item, url in shown
        if (current_path == url if url == "/" else current_path.startswith(url))
    ]
    best = max(matching, key=len, default=None)
    return [{"url": url, "label": item.label, "active": url == best} for item, url in shown]
