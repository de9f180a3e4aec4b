"""How an audit entry's recorded changes read on a page."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()

_EMPTY = "—"


def _value(value: Any) -> str:
    if value is None or value == "":
        return _EMPTY
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


@register.filter
def change(value: Any) -> str:
    """A recorded change ``{"from": old, "to": new}`` (``audit.services.change``) as
    “old → new”, or the new value alone when there was none before; any other value as text
    (structures as compact JSON, lists as their items)."""
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        old, new = value["from"], value["to"]
        if old is None or old == "":
            return _value(new)
        return f"{_value(old)} → {_value(new)}"
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    return _value(value)
