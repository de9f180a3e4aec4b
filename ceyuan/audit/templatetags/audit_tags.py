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
    """``[old, new]`` (``audit.services.diff``) as “old → new”, or only the new value when
    there was none before; other values as text (structures as compact JSON)."""
    if isinstance(value, list) and len(value) == 2:
        old, new = value
        if old is None or old == "":
            return _value(new)
        return f"{_value(old)} → {_value(new)}"
    return _value(value)
