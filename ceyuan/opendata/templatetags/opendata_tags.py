from typing import Any

from django import template
from django.template import defaultfilters

from ceyuan.opendata import labels

register = template.Library()


@register.filter
def personal_data_kind(code: str) -> str:
    """``cn_mobile`` → 手机号码 (the active language's label)."""
    return labels.personal_data_kind(code)


@register.filter
def cell(value: Any) -> Any:
    """A table cell for display: true/false as the page's yes/no (是/否), empty for null."""
    if isinstance(value, bool):
        return defaultfilters.yesno(value)
    return "" if value is None else value


@register.filter
def get_item(mapping: Any, key: str) -> Any:
    """``{{ row|get_item:name }}`` — table cells keyed by field names that are not identifiers."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None
