"""Reasons in words: a message code, its machine-readable parameters, and zh / en renderings.

The engine returns both the code with parameters (so the web layer can translate again, or
store and compare) and ready-rendered Simplified Chinese and English strings (so a CLI, a report
or a test reads the reason directly). Templates are data, keyed by code; the code is the stable
identifier, the wording may change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from ceyuan.plan.engine.quantities import Interval, Qualifier

__all__ = ["TEMPLATES", "Message", "format_number", "message", "phrase_quantity"]

Param = str | int | float

#: code → (zh template, en template). Placeholders are filled per language.
TEMPLATES: Mapping[str, tuple[str, str]] = {
    # indicators
    "no_data": ("暂无观测数据。", "No observations yet."),
    "achieved": (
        "已达到目标：{year}年为{observed}，目标为{target_year}年{target}。",
        "Target achieved: {observed} in {year} against {target} for {target_year}.",
    ),
    "achieved_early": (
        "已提前达到目标：{year}年为{observed}，目标为{target_year}年{target}。",
        "Achieved early: {observed} in {year} against {target} for {target_year}.",
    ),
    "sustained_achieved": (
        "实施期内每年均达到{target}，目标已实现。",
        "{target} was met in every year of the period: target achieved.",
    ),
    "sustained_on_track": (
        "截至{year}年每年均达到{target}，须保持至{target_year}年。",
        "{target} met in every year up to {year}; it must hold until {target_year}.",
    ),
    "sustained_missed": (
        "{year}年为{observed}，未达到须每年保持的{target}。",
        "{observed} in {year} misses {target}, which must hold every year.",
    ),
    "sustained_unclear": (
        "{year}年为{observed}，无法确定是否达到须每年保持的{target}。",
        "{observed} in {year} cannot be confirmed to meet {target}, which must hold every year.",
    ),
    "target_missed": (
        "目标年份已过：{year}年为{observed}，未达到{target_year}年{target}的目标。",
        "Target year has passed: {observed} in {year} misses {target} for {target_year}.",
    ),
    "on_track": (
        "按趋势预计{target_year}年约为{projected}，可达到目标{target}。",
        "On track: the trend projects about {projected} in {target_year} against {target}.",
    ),
    "at_risk": (
        "按趋势预计{target_year}年约为{projected}（区间{band}），可能达不到目标{target}。",
        "At risk: the trend projects about {projected} in {target_year} (band {band}) "
        "against {target}.",
    ),
    "off_track": (
        "按趋势预计{target_year}年仅约为{projected}（区间{band}），明显达不到目标{target}。",
        "Off track: the trend projects only about {projected} in {target_year} (band {band}) "
        "against {target}.",
    ),
    "single_observation": (
        "仅有{year}年一个观测值（{observed}），尚不能判断趋势，目标为{target_year}年{target}。",
        "Only one observation ({observed} in {year}): no trend yet; the target is {target} "
        "for {target_year}.",
    ),
    # milestones
    "milestone_done": ("已于{completed_on}按期完成。", "Done on {completed_on}, on time."),
    "milestone_done_late": (
        "已于{completed_on}完成，逾期{days}个工作日。",
        "Done on {completed_on}, {days} working day(s) late.",
    ),
    "milestone_overdue": (
        "已逾期{days}个工作日（截止{due}）。",
        "Overdue by {days} working day(s) (due {due}).",
    ),
    "milestone_due_soon": (
        "还剩{days}个工作日到期（截止{due}）。",
        "Due in {days} working day(s) ({due}).",
    ),
    "milestone_pending": (
        "未到期，还剩{days}个工作日（截止{due}）。",
        "Pending: {days} working day(s) left (due {due}).",
    ),
}

_ZH_QUALIFIER = {
    Qualifier.EXACT: "{v}",
    Qualifier.ABOUT: "约{v}",
    Qualifier.NEAR: "近{v}",
    Qualifier.MORE_THAN: "超过{v}",
    Qualifier.AT_LEAST: "不低于{v}",
    Qualifier.LESS_THAN: "低于{v}",
    Qualifier.AT_MOST: "不超过{v}",
}
_EN_QUALIFIER = {
    Qualifier.EXACT: "{v}",
    Qualifier.ABOUT: "about {v}",
    Qualifier.NEAR: "nearly {v}",
    Qualifier.MORE_THAN: "more than {v}",
    Qualifier.AT_LEAST: "at least {v}",
    Qualifier.LESS_THAN: "less than {v}",
    Qualifier.AT_MOST: "at most {v}",
}


@dataclass(frozen=True, slots=True)
class Message:
    """A reason: ``code`` and ``params`` for machines, ``zh`` and ``en`` for people."""

    code: str
    zh: str
    en: str
    params: Mapping[str, Param] = field(default_factory=dict)


def format_number(value: float, lang: str) -> str:
    """``3100.0`` → ``3,100`` (en) / ``3100`` (zh); up to two decimals, trailing zeros cut."""
    if not math.isfinite(value):
        return "∞" if value > 0 else "-∞"
    sep = "," if lang == "en" else ""
    if abs(value - round(value)) < 1e-9:
        text = f"{round(value):,}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", sep)


def phrase_quantity(
    qualifier: Qualifier,
    value: float | None,
    lang: str,
    *,
    lower: float | None = None,
    upper: float | None = None,
    unit: str = "",
) -> str:
    """A phrased figure in ``lang``: ``超过2200亿元`` / ``more than 2,200 100 million CNY``."""
    if qualifier is Qualifier.SIGNIFICANT_INCREASE:
        return "显著提升" if lang == "zh" else "a significant increase"
    if qualifier is Qualifier.SIGNIFICANT_DECREASE:
        return "显著下降" if lang == "zh" else "a significant decrease"
    if qualifier is Qualifier.RANGE:
        lo = format_number(lower if lower is not None else -math.inf, lang)
        hi = format_number(upper if upper is not None else math.inf, lang)
        text = f"{lo}-{hi}" if lang == "zh" else f"{lo}–{hi}"
    else:
        table = _ZH_QUALIFIER if lang == "zh" else _EN_QUALIFIER
        text = table[qualifier].format(v=format_number(value if value is not None else 0, lang))
    if not unit:
        return text
    if lang == "zh" or unit == "%":
        return text + unit
    # "3,100 × 100 million CNY" rather than the ambiguous "3,100 100 million CNY"
    return f"{text} × {unit}" if unit[0].isdigit() else f"{text} {unit}"


def phrase_band(band: Interval, lang: str) -> str:
    lo = format_number(band.lower if band.lower is not None else -math.inf, lang)
    hi = format_number(band.upper if band.upper is not None else math.inf, lang)
    return f"{lo}-{hi}" if lang == "zh" else f"{lo}–{hi}"


def message(
    code: str,
    params: Mapping[str, Param],
    *,
    zh: Mapping[str, str] | None = None,
    en: Mapping[str, str] | None = None,
) -> Message:
    """Render ``code``: ``params`` fill both languages, ``zh``/``en`` override per language."""
    zh_template, en_template = TEMPLATES[code]
    base = {k: str(v) for k, v in params.items()}
    return Message(
        code=code,
        zh=zh_template.format(**{**base, **(zh or {})}),
        en=en_template.format(**{**base, **(en or {})}),
        params=dict(params),
    )
