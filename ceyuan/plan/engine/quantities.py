"""Quantities as the plan and its reports phrase them: qualifiers, directions and intervals.

Plans and statistics rarely state exact figures: 超过1万亿元 ("more than"), 约3100 ("about"),
近3000 ("near"), 5-10家 ("range"). Each phrasing is a :class:`Qualifier`; together with a value it
determines an :class:`Interval` the true figure is known to lie in. Everything downstream
(achievement, fitting, progress) reasons on these intervals, never on the bare number.

Invariants: an interval's lower bound never exceeds its upper bound; an open (strict) end is only
meaningful for a finite bound; :func:`interval_for` is a pure function of its arguments.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "ABOUT_MAX_RELATIVE",
    "Direction",
    "Interval",
    "Qualifier",
    "about_tolerance",
    "interval_for",
]

#: "about X" and "near X" never claim more than this relative uncertainty (5 %).
ABOUT_MAX_RELATIVE = 0.05


class Direction(enum.StrEnum):
    """Whether a larger figure is better (``increase``) or a smaller one (``decrease``)."""

    INCREASE = "increase"
    DECREASE = "decrease"


class Qualifier(enum.StrEnum):
    """How a figure is phrased. The Chinese words each one stands for are in the docs."""

    EXACT = "exact"  # 为 / 达 (an exact statistic)
    ABOUT = "about"  # 约 / 左右
    NEAR = "near"  # 近 / 接近: just below the figure
    MORE_THAN = "more_than"  # 超过 / 超 / 突破
    AT_LEAST = "at_least"  # 达到 / 以上 / 不低于 (以上 includes the figure itself)
    LESS_THAN = "less_than"  # 低于 / 不到
    AT_MOST = "at_most"  # 不超过 / 以下
    RANGE = "range"  # a-b
    SIGNIFICANT_INCREASE = "significant_increase"  # 显著提升 (targets only, no figure)
    SIGNIFICANT_DECREASE = "significant_decrease"  # 显著下降 (targets only, no figure)

    @property
    def needs_value(self) -> bool:
        return self not in (Qualifier.RANGE, *_SIGNIFICANT)

    @property
    def is_significant(self) -> bool:
        return self in _SIGNIFICANT


_SIGNIFICANT = (Qualifier.SIGNIFICANT_INCREASE, Qualifier.SIGNIFICANT_DECREASE)


@dataclass(frozen=True, slots=True)
class Interval:
    """Where a true figure lies. ``None`` means unbounded on that side."""

    lower: float | None
    upper: float | None
    lower_open: bool = False
    upper_open: bool = False

    def __post_init__(self) -> None:
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"interval lower bound {self.lower} exceeds upper bound {self.upper}")

    @property
    def point(self) -> float:
        """A single representative figure: the midpoint, or the finite bound when one-sided.

        One-sided intervals ("more than 2,200") are represented by their bound, which is the
        conservative reading.
        """
        if self.lower is not None and self.upper is not None:
            return (self.lower + self.upper) / 2
        if self.lower is not None:
            return self.lower
        if self.upper is not None:
            return self.upper
        raise ValueError("an unbounded interval has no representative point")

    @property
    def width(self) -> float:
        if self.lower is None or self.upper is None:
            return math.inf
        return self.upper - self.lower

    def clamp(self, x: float) -> float:
        """The point of the (closed) interval nearest to ``x``."""
        if self.lower is not None and x < self.lower:
            return self.lower
        if self.upper is not None and x > self.upper:
            return self.upper
        return x

    def surely_at_least(self, threshold: float, *, strict: bool) -> bool:
        """True when every figure in the interval is ≥ ``threshold`` (> when ``strict``)."""
        if self.lower is None:
            return False
        if self.lower > threshold:
            return True
        if self.lower == threshold:
            return not strict or self.lower_open
        return False

    def surely_at_most(self, threshold: float, *, strict: bool) -> bool:
        """True when every figure in the interval is ≤ ``threshold`` (< when ``strict``)."""
        if self.upper is None:
            return False
        if self.upper < threshold:
            return True
        if self.upper == threshold:
            return not strict or self.upper_open
        return False


# The least value a figure in a unit can take: amounts and counts are never negative, a rank
# starts at 1. Percentages have no floor here: a growth rate can be negative.
_UNIT_FLOORS: dict[str, float] = {
    "亿元": 0.0,
    "万元": 0.0,
    "元": 0.0,
    "家": 0.0,
    "人": 0.0,
    "个": 0.0,
    "项": 0.0,
    "件": 0.0,
    "台": 0.0,
    "名": 1.0,
}


def unit_floor(unit_zh: str) -> float | None:
    """The least value a figure in ``unit_zh`` (the plan's Chinese unit) can take, if any."""
    return _UNIT_FLOORS.get(unit_zh.strip())


def about_tolerance(value: float) -> float:
    """Half a unit of the last significant digit of ``value``, capped at 5 % of ``|value|``.

    "约3100" is a figure rounded to the hundreds, so it stands for [3050, 3150]; "约3000" would be
    [2500, 3500] by rounding alone, which the cap narrows to [2850, 3150].
    """
    if value == 0 or not math.isfinite(value):
        return 0.0
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    if not isinstance(exponent, int):  # NaN / infinity, excluded above
        return 0.0
    half_unit = 0.5 * 10.0**exponent
    return min(half_unit, ABOUT_MAX_RELATIVE * abs(value))


def interval_for(
    qualifier: Qualifier,
    value: float | None,
    *,
    lower: float | None = None,
    upper: float | None = None,
) -> Interval:
    """The interval a phrased figure stands for.

    ``lower``/``upper`` are only read for :attr:`Qualifier.RANGE`. Raises ``ValueError`` when the
    arguments do not fit the qualifier (a missing value, an inverted range, a "significant"
    qualifier, which has no interval of its own).
    """
    if qualifier is Qualifier.RANGE:
        if lower is None or upper is None:
            raise ValueError("a range needs both a lower and an upper bound")
        return Interval(lower, upper)
    if qualifier.is_significant:
        raise ValueError(f"{qualifier.value} has no interval; it is relative to a baseline")
    if value is None:
        raise ValueError(f"{qualifier.value} needs a value")
    tol = about_tolerance(value)
    if qualifier is Qualifier.EXACT:
        return Interval(value, value)
    if qualifier is Qualifier.ABOUT:
        return Interval(value - tol, value + tol)
    if qualifier is Qualifier.NEAR:
        return Interval(value - tol, value, upper_open=True)
    if qualifier is Qualifier.MORE_THAN:
        return Interval(value, None, lower_open=True)
    if qualifier is Qualifier.AT_LEAST:
        return Interval(value, None)
    if qualifier is Qualifier.LESS_THAN:
        return Interval(None, value, upper_open=True)
    return Interval(None, value)  # AT_MOST


@dataclass(frozen=True, slots=True)
class Baseline:
    """The figure progress is measured from."""

    value: float
    year: int


@dataclass(frozen=True, slots=True)
class Target:
    """A target as the plan phrases it, e.g. 达到3000 (at_least 3000) by 2025.

    ``sustained`` targets (持续保持10%以上增长) must hold in every year of the period, not only in
    the target year.
    """

    year: int
    qualifier: Qualifier
    value: float | None = None
    lower: float | None = None
    upper: float | None = None
    sustained: bool = False

    def check(self, direction: Direction) -> list[tuple[str, str]]:
        """Problems with this target's figures, as ``(field, message)``, for ``direction``."""
        q = self.qualifier
        if q is Qualifier.RANGE:
            if self.lower is None or self.upper is None:
                field = "lower" if self.lower is None else "upper"
                return [(field, "a range target needs both lower and upper")]
            if self.lower > self.upper:
                return [("lower", f"lower {self.lower} exceeds upper {self.upper}")]
            if self.value is not None and not self.lower <= self.value <= self.upper:
                return [("value", f"value {self.value} lies outside [{self.lower}, {self.upper}]")]
            return []
        problems: list[tuple[str, str]] = []
        if q.is_significant:
            for field, given in (
                ("value", self.value),
                ("lower", self.lower),
                ("upper", self.upper),
            ):
                if given is not None:
                    problems.append((field, f"{q.value} takes no {field}"))
            better = (
                Qualifier.SIGNIFICANT_INCREASE
                if direction is Direction.INCREASE
                else Qualifier.SIGNIFICANT_DECREASE
            )
            if q is not better:
                problems.append(("qualifier", f"{q.value} contradicts direction {direction.value}"))
            return problems
        if self.value is None:
            return [("value", f"{q.value} needs a value")]
        derived = interval_for(q, self.value)
        for side, given, expected in (
            ("lower", self.lower, derived.lower),
            ("upper", self.upper, derived.upper),
        ):
            if given is not None and given != expected:
                problems.append(
                    (
                        side,
                        f"{side} {given} is inconsistent with {q.value} {self.value} "
                        f"(expected {expected})",
                    )
                )
        if direction is Direction.INCREASE and q in (Qualifier.AT_MOST, Qualifier.LESS_THAN):
            problems.append(("qualifier", f"{q.value} contradicts direction increase"))
        if direction is Direction.DECREASE and q in (Qualifier.AT_LEAST, Qualifier.MORE_THAN):
            problems.append(("qualifier", f"{q.value} contradicts direction decrease"))
        return problems

    def threshold(self, direction: Direction) -> tuple[float, bool] | None:
        """The figure to reach and whether it must be strictly passed; ``None`` if relative.

        "About"/"near"/"exact" targets are taken at face value. A range counts from the bound on
        the better side's far end: its lower bound when increasing, its upper when decreasing.
        """
        q = self.qualifier
        if q.is_significant:
            return None
        if q is Qualifier.RANGE:
            bound = self.lower if direction is Direction.INCREASE else self.upper
            if bound is None:
                raise ValueError("a range target needs both bounds")
            return bound, False
        if self.value is None:
            raise ValueError(f"{q.value} target needs a value")
        return self.value, q in (Qualifier.MORE_THAN, Qualifier.LESS_THAN)
