from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``{{ row|get_item:name }}`` — table cells keyed by field names that are not identifiers."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None
