"""Indicator progress, trend projection and status.

Input: an :class:`IndicatorSpec` (direction, target, baseline), the indicator's
:class:`Observation` s and ``today``. Output: an :class:`IndicatorStatus` — progress from the
baseline, a :class:`Projection` to the target year (linear and compound-growth fits with a band,
see :mod:`ceyuan.plan.engine.fitting`) and one of five statuses with its reason in words.

Status rules (stated for an increasing indicator; a decreasing one is mirrored by negation). Let
t be the target threshold (a range counts from its lower bound; "significant increase" means
``StatusPolicy.significant_change`` above the baseline) and base the baseline, else the first
observation. An observation *surely meets* t when its whole interval is ≥ t (> t for a strict
"more than" target), and *surely misses* it when its whole interval is below.

1. ``no_data`` — no observations.
2. Sustained targets (持续保持, every year): ``off_track`` as soon as a year in the period surely
   misses; ``at_risk`` while a year is undecidable; ``achieved`` once every year up to the target
   year surely meets; otherwise ``on_track``.
3. ``achieved`` — the latest observation surely meets t. It is *early* when the run of meeting
   observations began before the target year, or when ``today`` is before 31 December of the
   target year.
4. ``off_track`` — the target year has ended, a figure for it exists, and it does not meet t.
5. Projection p̂ at the target year with band [lo, hi]; projected progress
   P = (p̂ − base) / (t − base):
   ``on_track`` if p̂ ≥ t; ``at_risk`` if hi ≥ t or P ≥ ``StatusPolicy.at_risk_progress``
   (0.8); else ``off_track``. With a single time position there is no trend: ``at_risk``.

Invariant: the status is never ``achieved`` when the latest observation's upper bound is below
the target (lower bound above, when decreasing).
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from ceyuan.plan.engine.fitting import Fit, FitModel, Point, fit_compound, fit_linear
from ceyuan.plan.engine.messages import Message, message, phrase_band, phrase_quantity
from ceyuan.plan.engine.planfile import Indicator
from ceyuan.plan.engine.quantities import (
    Baseline,
    Direction,
    Interval,
    Qualifier,
    Target,
    interval_for,
)

__all__ = [
    "IndicatorSpec",
    "IndicatorStatus",
    "Observation",
    "Projection",
    "SourceKind",
    "Status",
    "StatusPolicy",
    "assess",
    "project",
    "spec_from_plan",
]


class Status(enum.StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


class SourceKind(enum.StrEnum):
    ENTERED = "entered"  # typed in by a unit officer from a report or a statistic
    COMPUTED = "computed"  # produced by a live-indicator provider from platform data


@dataclass(frozen=True, slots=True)
class Observation:
    """One reported figure. ``period`` is a year (an annual figure) or a date (a reading).

    ``value`` with ``qualifier`` gives the interval; a range uses ``lower``/``upper``.
    """

    period: int | dt.date
    value: float | None
    qualifier: Qualifier = Qualifier.EXACT
    lower: float | None = None
    upper: float | None = None
    source_kind: SourceKind = SourceKind.ENTERED
    source: str = ""

    def __post_init__(self) -> None:
        self.interval  # noqa: B018 - validates the figure against the qualifier

    @property
    def interval(self) -> Interval:
        return interval_for(self.qualifier, self.value, lower=self.lower, upper=self.upper)

    @property
    def year(self) -> int:
        return self.period.year if isinstance(self.period, dt.date) else self.period

    @property
    def x(self) -> float:
        """Position on the time axis in years; an annual figure for Y sits at 31 Dec of Y."""
        if isinstance(self.period, dt.date):
            days = 366 if _is_leap(self.period.year) else 365
            return self.period.year - 1 + self.period.timetuple().tm_yday / days
        return float(self.period)

    def phrase(self, lang: str, unit: str = "") -> str:
        return phrase_quantity(
            self.qualifier, self.value, lang, lower=self.lower, upper=self.upper, unit=unit
        )


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass(frozen=True, slots=True)
class IndicatorSpec:
    """What the engine needs to know about an indicator."""

    code: str
    direction: Direction
    target: Target
    baseline: Baseline | None = None
    period_start: int | None = None
    unit_zh: str = ""
    unit_en: str = ""


def spec_from_plan(indicator: Indicator, *, period_start: int | None = None) -> IndicatorSpec:
    return IndicatorSpec(
        code=indicator.code,
        direction=indicator.direction,
        target=indicator.target,
        baseline=indicator.baseline,
        period_start=period_start,
        unit_zh=indicator.unit.zh,
        unit_en=indicator.unit.en,
    )


@dataclass(frozen=True, slots=True)
class StatusPolicy:
    """Thresholds of the status rules (module docstring)."""

    at_risk_progress: float = 0.8
    significant_change: float = 0.2


@dataclass(frozen=True, slots=True)
class Projection:
    """The trend at the target year: both fits, the chosen central value and the band."""

    year: int
    linear: Fit | None
    compound: Fit | None
    model: FitModel
    value: float
    band: Interval


@dataclass(frozen=True, slots=True)
class IndicatorStatus:
    code: str
    status: Status
    message: Message
    threshold: float | None  # the figure to reach, in the indicator's unit
    progress: float | None  # share of the way from base to threshold, clamped to [0, 1]
    progress_raw: float | None  # unclamped
    latest: Observation | None
    achieved_in: int | None
    early: bool
    projection: Projection | None


def project(points: Sequence[Point], year: int, *, extra: float = 0.0) -> Projection | None:
    """Project ``points`` to ``year`` with both models; ``None`` without two time positions.

    The central value comes from the model with the smaller interval SSE (linear on ties); the
    band is the union of both models' bands, so model disagreement shows as width.
    """
    linear = fit_linear(points)
    if linear is None:
        return None
    compound = fit_compound(points)
    x = float(year)
    best = linear
    if compound is not None and compound.sse < linear.sse - 1e-9 * max(1.0, linear.sse):
        best = compound
    lows, highs = zip(*(f.band(x, extra) for f in (linear, compound) if f is not None), strict=True)
    return Projection(
        year=year,
        linear=linear,
        compound=compound,
        model=best.model,
        value=best.predict(x),
        band=Interval(min(lows), max(highs)),
    )


def _negate(iv: Interval) -> Interval:
    return Interval(
        None if iv.upper is None else -iv.upper,
        None if iv.lower is None else -iv.lower,
        lower_open=iv.upper_open,
        upper_open=iv.lower_open,
    )


def assess(
    spec: IndicatorSpec,
    observations: Sequence[Observation],
    *,
    today: dt.date,
    policy: StatusPolicy = StatusPolicy(),
) -> IndicatorStatus:
    """Progress, projection and status of one indicator as of ``today``."""
    target = spec.target
    sign = 1.0 if spec.direction is Direction.INCREASE else -1.0
    obs = sorted(observations, key=lambda o: o.x)

    target_words = {
        "zh": phrase_quantity(
            target.qualifier,
            target.value,
            "zh",
            lower=target.lower,
            upper=target.upper,
            unit=spec.unit_zh,
        ),
        "en": phrase_quantity(
            target.qualifier,
            target.value,
            "en",
            lower=target.lower,
            upper=target.upper,
            unit=spec.unit_en,
        ),
    }
    common = {"target_year": target.year}

    def say(code: str, **params: str | int | float) -> Message:
        zh = {"target": target_words["zh"]}
        en = {"target": target_words["en"]}
        return message(code, {**common, **params}, zh=zh, en=en)

    def say_obs(code: str, o: Observation, **params: str | int | float) -> Message:
        zh = {"target": target_words["zh"], "observed": o.phrase("zh", spec.unit_zh)}
        en = {"target": target_words["en"], "observed": o.phrase("en", spec.unit_en)}
        value = o.value if o.value is not None else o.interval.point
        full = {**common, "year": o.year, "observed_value": value, **params}
        return message(code, full, zh=zh, en=en)

    if not obs:
        return IndicatorStatus(
            spec.code, Status.NO_DATA, say("no_data"), None, None, None, None, None, False, None
        )

    signed = [sign_interval(o.interval, sign) for o in obs]
    base = sign * spec.baseline.value if spec.baseline is not None else signed[0].point
    threshold = target.threshold(spec.direction)
    if threshold is None:  # "significant" change, relative to the base
        t = base + policy.significant_change * abs(base)
        strict = base == 0
    else:
        t, strict = sign * threshold[0], threshold[1]
    t_out = sign * t

    latest, latest_iv = obs[-1], signed[-1]
    if t != base:
        progress_raw: float | None = (latest_iv.point - base) / (t - base)
    else:
        progress_raw = 1.0 if latest_iv.point >= t else 0.0
    progress = None if progress_raw is None else min(1.0, max(0.0, progress_raw))

    points = [Point(o.x, o.interval) for o in obs]
    if spec.baseline is not None and spec.baseline.year < obs[0].x:
        bl = spec.baseline
        points.insert(0, Point(float(bl.year), Interval(bl.value, bl.value)))
    width = latest.interval.width
    projection = project(points, target.year, extra=width / 2 if math.isfinite(width) else 0.0)

    def result(
        status: Status, msg: Message, *, achieved_in: int | None = None, early: bool = False
    ) -> IndicatorStatus:
        return IndicatorStatus(
            spec.code,
            status,
            msg,
            t_out,
            progress,
            progress_raw,
            latest,
            achieved_in,
            early,
            projection,
        )

    def meets(iv: Interval) -> bool:
        return iv.surely_at_least(t, strict=strict)

    def misses(iv: Interval) -> bool:
        return iv.surely_at_most(t, strict=not strict)

    deadline = dt.date(target.year, 12, 31)

    if target.sustained:
        start = spec.period_start if spec.period_start is not None else -math.inf
        relevant = [
            (o, iv) for o, iv in zip(obs, signed, strict=True) if start <= o.year <= target.year
        ]
        if not relevant:
            return result(Status.NO_DATA, say("no_data"))
        for o, iv in relevant:
            if misses(iv):
                return result(Status.OFF_TRACK, say_obs("sustained_missed", o))
        for o, iv in reversed(relevant):
            if not meets(iv):
                return result(Status.AT_RISK, say_obs("sustained_unclear", o))
        last = relevant[-1][0]
        if last.year >= target.year:
            return result(Status.ACHIEVED, say("sustained_achieved"), achieved_in=last.year)
        return result(Status.ON_TRACK, say("sustained_on_track", year=last.year))

    if meets(latest_iv):
        k = len(obs) - 1
        while k > 0 and meets(signed[k - 1]):
            k -= 1
        first = obs[k]
        early = first.x < target.year or today < deadline
        code = "achieved_early" if early else "achieved"
        return result(Status.ACHIEVED, say_obs(code, first), achieved_in=first.year, early=early)

    if today > deadline and latest.year >= target.year:
        return result(Status.OFF_TRACK, say_obs("target_missed", latest))

    if projection is None:
        return result(Status.AT_RISK, say_obs("single_observation", latest))

    p_hat = sign * projection.value
    band = projection.band
    assert band.lower is not None and band.upper is not None  # project() builds finite bands
    hi = band.upper if sign > 0 else -band.lower
    projected_progress = (p_hat - base) / (t - base) if t != base else (1.0 if p_hat >= t else 0.0)
    params = {
        "projected_value": round(projection.value, 6),
        "band_lower": round(band.lower, 6),
        "band_upper": round(band.upper, 6),
        "model": projection.model.value,
    }
    words = {
        lang: {
            "target": target_words[lang],
            "projected": phrase_quantity(
                Qualifier.EXACT,
                projection.value,
                lang,
                unit=spec.unit_zh if lang == "zh" else spec.unit_en,
            ),
            "band": phrase_band(band, lang),
        }
        for lang in ("zh", "en")
    }
    if p_hat >= t:
        status, code = Status.ON_TRACK, "on_track"
    elif hi >= t or projected_progress >= policy.at_risk_progress:
        status, code = Status.AT_RISK, "at_risk"
    else:
        status, code = Status.OFF_TRACK, "off_track"
    msg = message(code, {**common, **params}, zh=words["zh"], en=words["en"])
    return result(status, msg)


def sign_interval(iv: Interval, sign: float) -> Interval:
    """``iv`` in "higher is better" space: unchanged when increasing, negated when decreasing."""
    return iv if sign > 0 else _negate(iv)
