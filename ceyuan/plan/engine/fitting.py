"""Trend fits on interval observations: linear and compound growth, with a prediction band.

Model. Each observation i is an interval I_i on the time axis position x_i (years) — an exact
figure is a degenerate interval, "more than 2,200" is (2200, ∞). A fit chooses a curve f and is
scored by the squared distance from f(x_i) to its interval:

    minimise  Σ_i dist(f(x_i), I_i)²,   dist(y, I) = 0 if y ∈ I, else the gap to the nearer bound.

This is interval-censored least squares: a fitted value inside a reported interval costs nothing,
so "over 2,200" only pulls the curve up when the curve falls below 2,200. The problem is convex
(jointly in the curve parameters and the auxiliary points y_i ∈ I_i); we solve it by block
coordinate descent — alternately an ordinary least-squares fit to the points y_i, and y_i
← clamp(f(x_i), I_i) — which decreases the objective monotonically and converges to the optimum.
The start is each interval's representative point (midpoint, or the finite bound).

* linear:   f(x) = a + b·x                     (least squares on the values)
* compound: f(x) = exp(a + b·x), growth e^b − 1 (least squares on log values; needs every
  interval's lower bound > 0)

Band. With n points and residual standard deviation s = √(SSE / (n − 2)) (0 when n = 2), the
prediction half-width at x* is z·s·√(1 + 1/n + (x* − x̄)² / Sxx), z = 1.96 (a normal
approximation of a 95 % interval; with so few points it is a guide, not a guarantee). The
compound band is computed in log space and mapped back. The latest observation's own width
(e.g. "about 3,100" = [3050, 3150]) is added on both sides, so a vague latest figure widens
the band even when the fit is perfect.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from dataclasses import dataclass

from ceyuan.plan.engine.quantities import Interval

__all__ = ["BAND_Z", "Fit", "FitModel", "Point", "fit", "fit_compound", "fit_linear"]

BAND_Z = 1.96
_MAX_ITER = 500
_TOL = 1e-10


def _exp(y: float) -> float:
    """``exp`` that saturates at ~1e304 instead of raising on absurd extrapolations."""
    return math.exp(min(y, 700.0))


class FitModel(enum.StrEnum):
    LINEAR = "linear"
    COMPOUND = "compound"


@dataclass(frozen=True, slots=True)
class Point:
    """One observation placed on the time axis: ``x`` in years, ``interval`` its figure."""

    x: float
    interval: Interval


@dataclass(frozen=True, slots=True)
class Fit:
    """A fitted trend ``intercept + slope·(x − x_mean)``, in value space (linear) or log space.

    Centring on ``x_mean`` keeps the intercept at the data's own scale (years are ~2000).
    """

    model: FitModel
    intercept: float
    slope: float
    n: int
    x_mean: float
    sxx: float
    residual_sd: float
    sse: float  # interval distance², always in value space so models compare

    def predict(self, x: float) -> float:
        y = self.intercept + self.slope * (x - self.x_mean)
        return _exp(y) if self.model is FitModel.COMPOUND else y

    @property
    def annual_growth(self) -> float | None:
        """Compound growth rate per year (0.1 = 10 %); ``None`` for linear fits."""
        return math.expm1(self.slope) if self.model is FitModel.COMPOUND else None

    def band(self, x: float, extra: float = 0.0) -> tuple[float, float]:
        """Prediction band at ``x``; ``extra`` widens it in value space on both sides."""
        half = (
            BAND_Z
            * self.residual_sd
            * math.sqrt(1 + 1 / self.n + (x - self.x_mean) ** 2 / self.sxx)
        )
        centre = self.intercept + self.slope * (x - self.x_mean)
        if self.model is FitModel.COMPOUND:
            return _exp(centre - half) - extra, _exp(centre + half) + extra
        return centre - half - extra, centre + half + extra


def _ols(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float, float]:
    n = len(xs)
    x_mean = sum(xs) / n
    y_mean = sum(ys) / n
    sxx = sum((x - x_mean) ** 2 for x in xs)
    sxy = sum((x - x_mean) * (y - y_mean) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    return y_mean - slope * x_mean, slope, x_mean, sxx


def _interval_ls(
    xs: Sequence[float], intervals: Sequence[Interval]
) -> tuple[float, float, float, float, float]:
    """Interval-censored least squares; returns intercept (at x̄), slope, x̄, Sxx, SSE."""
    x_mean = sum(xs) / len(xs)
    cs = [x - x_mean for x in xs]  # centred: OLS below then returns its value at x̄
    ys = [iv.point for iv in intervals]
    a, b, _, sxx = _ols(cs, ys)
    prev = math.inf
    for _ in range(_MAX_ITER):
        ys = [iv.clamp(a + b * c) for c, iv in zip(cs, intervals, strict=True)]
        a, b, _, sxx = _ols(cs, ys)
        sse = sum((a + b * c - y) ** 2 for c, y in zip(cs, ys, strict=True))
        if prev - sse <= _TOL * max(1.0, prev if math.isfinite(prev) else 1.0):
            break
        prev = sse
    sse = sum((a + b * c - iv.clamp(a + b * c)) ** 2 for c, iv in zip(cs, intervals, strict=True))
    return a, b, x_mean, sxx, sse


def _distinct(points: Sequence[Point]) -> bool:
    return len({p.x for p in points}) >= 2


def _residual_sd(sse: float, n: int) -> float:
    return math.sqrt(sse / (n - 2)) if n > 2 else 0.0


def fit_linear(points: Sequence[Point]) -> Fit | None:
    """Straight-line trend, or ``None`` with fewer than two distinct time positions."""
    if not _distinct(points):
        return None
    xs = [p.x for p in points]
    a, b, x_mean, sxx, sse = _interval_ls(xs, [p.interval for p in points])
    return Fit(FitModel.LINEAR, a, b, len(xs), x_mean, sxx, _residual_sd(sse, len(xs)), sse)


def fit_compound(points: Sequence[Point]) -> Fit | None:
    """Constant-growth-rate trend; ``None`` when any figure may be ≤ 0 or x is degenerate."""
    if not _distinct(points):
        return None
    logs: list[Interval] = []
    for p in points:
        iv = p.interval
        if iv.lower is None or iv.lower <= 0:
            return None
        logs.append(Interval(math.log(iv.lower), None if iv.upper is None else math.log(iv.upper)))
    xs = [p.x for p in points]
    a, b, x_mean, sxx, log_sse = _interval_ls(xs, logs)
    fitted = [_exp(a + b * (p.x - x_mean)) for p in points]
    sse = sum((y - p.interval.clamp(y)) ** 2 for y, p in zip(fitted, points, strict=True))
    return Fit(FitModel.COMPOUND, a, b, len(xs), x_mean, sxx, _residual_sd(log_sse, len(xs)), sse)


def fit(points: Sequence[Point], model: FitModel) -> Fit | None:
    return fit_linear(points) if model is FitModel.LINEAR else fit_compound(points)
