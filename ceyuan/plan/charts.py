"""Server-side SVG charts of indicators: no scripts, no external assets.

The indicator chart draws, on one time axis (years): the target path (a dashed line from the
baseline, or the first figure, to the target at its year), the projection band (the union of
the linear and compound fits' prediction bands from the latest figure to the target year),
the central projection, and each observation as a point with its interval (a one-sided
figure such as "more than 2,200" gets an arrow). Text is escaped; labels are translated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .selectors import IndicatorView, number

COLOURS = {
    "achieved": "#1a7f37",
    "on_track": "#2da44e",
    "at_risk": "#bf8700",
    "off_track": "#cf222e",
    "no_data": "#8c959f",
    "monitoring": "#0969da",
}


def _obs_points(view: IndicatorView) -> list[tuple[float, float, float | None, float | None]]:
    """(x, representative value, lower, upper) of each observation."""
    from . import adapters

    points = []
    for row in view.observations:
        obs = adapters.observation(row)
        iv = obs.interval
        try:
            y = iv.point
        except ValueError:
            continue
        points.append((obs.x, y, iv.lower, iv.upper))
    return points


def _band(view: IndicatorView, xs: Sequence[float]) -> list[tuple[float, float, float]]:
    status = view.status
    if status is None or status.projection is None:
        return []
    extra = 0.0
    if status.latest is not None:
        width = status.latest.interval.width
        extra = width / 2 if math.isfinite(width) else 0.0
    out = []
    for x in xs:
        los, his = [], []
        for fit in (status.projection.linear, status.projection.compound):
            if fit is None:
                continue
            lo, hi = fit.band(x, extra=extra)
            los.append(lo)
            his.append(hi)
        if los:
            out.append((x, min(los), max(his)))
    return out


def _nice_axis(lo: float, hi: float, count: int = 5) -> tuple[float, float, list[float]]:
    """Axis bounds and ticks on round numbers (1, 2, 2.5 or 5 times a power of ten)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / (count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(lo / step) * step
    end = math.ceil(hi / step) * step
    ticks = [start + i * step for i in range(round((end - start) / step) + 1)]
    return start, end, ticks


def sparkline(view: IndicatorView, width: int = 140, height: int = 40) -> SafeString:
    points = _obs_points(view)
    colour = COLOURS.get(view.status_code, "#8c959f")
    label = escape(f"{view.indicator.name}: {view.status_label}")
    threshold = view.status.threshold if view.status else None
    if not points:
        return mark_safe(  # noqa: S308 - built from escaped text and numbers
            f'<svg class="spark" width="{width}" height="{height}" role="img" '
            f'aria-label="{label}"><line x1="4" y1="{height / 2}" x2="{width - 4}" '
            f'y2="{height / 2}" stroke="#d0d7de" stroke-dasharray="3 3"/></svg>'
        )
    ys = [p[1] for p in points] + ([threshold] if threshold is not None else [])
    xs = [p[0] for p in points]
    if view.indicator.target_year:
        xs.append(float(view.indicator.target_year))
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = min(ys), max(ys) if max(ys) > min(ys) else min(ys) + 1

    def sx(x: float) -> float:
        return 4 + (x - x0) / (x1 - x0) * (width - 8)

    def sy(y: float) -> float:
        return height - 4 - (y - y0) / (y1 - y0) * (height - 8)

    parts = [
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{label}">'
    ]
    if threshold is not None:
        parts.append(
            f'<line x1="4" x2="{width - 4}" y1="{sy(threshold):.1f}" y2="{sy(threshold):.1f}" '
            'stroke="#57606a" stroke-dasharray="4 3" stroke-width="1"/>'
        )
    path = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y, _lo, _hi in points)
    parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for x, y, _lo, _hi in points:
        parts.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{colour}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308


def indicator_chart(view: IndicatorView, width: int = 720, height: int = 320) -> SafeString:
    ind = view.indicator
    plan = ind.plan
    points = _obs_points(view)
    threshold = view.status.threshold if view.status else None
    start = min([plan.period_start - 1, *(math.floor(p[0]) for p in points)])
    if ind.baseline_year:
        start = min(start, ind.baseline_year)
    end = max(
        [plan.period_end, ind.target_year or plan.period_end, *(math.ceil(p[0]) for p in points)]
    )
    band = _band(view, [start + i * 0.25 for i in range(int((end - start) * 4) + 1)])
    latest_x = max((p[0] for p in points), default=start)
    band = [b for b in band if b[0] >= latest_x - 1e-9]
    values: list[float] = []
    for _x, y, lo, hi in points:
        values += [y, *(v for v in (lo, hi) if v is not None)]
    if threshold is not None:
        values.append(threshold)
    if ind.baseline_value is not None:
        values.append(ind.baseline_value)
    for _x, lo, hi in band:
        values += [lo, hi]
    if not values:
        values = [0.0, 1.0]
    y0, y1, ticks = _nice_axis(min(0.0, min(values)), max(values) * 1.05 or 1.0)
    left, right, top, bottom = 64, 16, 16, 40

    def sx(x: float) -> float:
        return left + (x - (start - 0.5)) / (end - start + 1) * (width - left - right)

    def sy(y: float) -> float:
        y = min(max(y, y0), y1)
        return top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom)

    title = escape(_("%(name)s: figures, target path and projection") % {"name": ind.name})
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{title}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="sans-serif">'
        f"<title>{title}</title>"
    ]
    # axes and gridlines
    for y in ticks:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" '
            'stroke="#eaeef2"/>'
            f'<text x="{left - 6}" y="{sy(y) + 4:.1f}" text-anchor="end" fill="#57606a">'
            f"{escape(number(y))}</text>"
        )
    for year in range(start, end + 1):
        parts.append(
            f'<text x="{sx(year):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'fill="#57606a">{year}</text>'
        )
    # projection band and centre
    if len(band) >= 2:
        upper = " ".join(f"{sx(x):.1f},{sy(hi):.1f}" for x, _lo, hi in band)
        lower = " ".join(f"{sx(x):.1f},{sy(lo):.1f}" for x, lo, _hi in reversed(band))
        parts.append(
            f'<polygon class="band" points="{upper} {lower}" fill="#0969da" fill-opacity="0.12" '
            'stroke="none"><title>' + escape(_("projection band")) + "</title></polygon>"
        )
        projection = view.status.projection if view.status else None
        if projection is not None:
            fit = projection.compound if projection.model.value == "compound" else projection.linear
            if fit is not None:
                centre = " ".join(f"{sx(x):.1f},{sy(fit.predict(x)):.1f}" for x, _l, _h in band)
                parts.append(
                    f'<polyline points="{centre}" fill="none" stroke="#0969da" '
                    'stroke-width="1.5" stroke-dasharray="2 3"/>'
                )
    # target path
    if threshold is not None and ind.target_year:
        if ind.baseline_value is not None and ind.baseline_year is not None:
            bx, by = float(ind.baseline_year), ind.baseline_value
        elif points:
            bx, by = points[0][0], points[0][1]
        else:
            bx, by = float(plan.period_start - 1), threshold
        tx = float(ind.target_year)
        target_label = escape(_("target"))
        parts.append(
            f'<line class="target-path" x1="{sx(bx):.1f}" y1="{sy(by):.1f}" x2="{sx(tx):.1f}" '
            f'y2="{sy(threshold):.1f}" stroke="#57606a" stroke-width="1.5" '
            'stroke-dasharray="6 4"/>'
            f'<circle cx="{sx(tx):.1f}" cy="{sy(threshold):.1f}" r="5" fill="none" '
            'stroke="#57606a" stroke-width="2"/>'
            f'<text x="{sx(tx) - 8:.1f}" y="{sy(threshold) - 8:.1f}" text-anchor="end" '
            f'fill="#24292f">{target_label} {escape(number(threshold))}</text>'
        )
    # observations
    colour = COLOURS.get(view.status_code, "#24292f")
    if points:
        line = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y, _lo, _hi in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for x, y, lo, hi in points:
        top_y = sy(hi) if hi is not None else top
        bottom_y = sy(lo) if lo is not None else height - bottom
        if lo != hi:
            parts.append(
                f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{top_y:.1f}" y2="{bottom_y:.1f}" '
                f'stroke="{colour}" stroke-width="1"/>'
            )
        parts.append(
            f'<circle class="obs" cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" fill="{colour}">'
            f"<title>{escape(number(y))}</title></circle>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308
