from typing import Any

from django import template

from ceyuan.opendata import labels

register = template.Library()


@register.filter
def personal_data_kind(code: str) -> str:
    """``cn_mobile`` → 手机号码 (the active language's label)."""
    return labels.personal_data_kind(code)


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``{{ row|get_item:name }}`` — table cells keyed by field names that are not identifiers."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None
