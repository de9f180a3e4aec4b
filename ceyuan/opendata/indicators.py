"""Live indicators of public data opening, as plain functions returning numbers.

The plan app's indicator registry calls these; ``register_with_plan`` hooks them in when
that registry exists (``ceyuan.plan.live``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone

from . import levels
from .models import AccessLog, Dataset, Grant, OpeningPlanItem


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    return start, timezone.make_aware(dt.datetime(year + 1, 1, 1))


def datasets_opened(year: int | None = None) -> int:
    """Published datasets open to the public or on application (not-open ones excluded)."""
    qs = Dataset.objects.filter(status=Dataset.Status.PUBLISHED).exclude(access=levels.NON_PUBLIC)
    if year is not None:
        start, end = _year_bounds(year)
        qs = qs.filter(published_at__gte=start, published_at__lt=end)
    return qs.count()


def open_rate(year: int | None = None) -> float:
    """Share (0–1) of the yearly opening plan's items done; 0 when nothing is planned."""
    year = year or timezone.localdate().year
    items = OpeningPlanItem.objects.filter(plan__year=year)
    total = items.count()
    if total == 0:
        return 0.0
    return items.filter(done_at__isnull=False).count() / total


def downloads(year: int | None = None) -> int:
    """Downloads, API reads, table queries and training exports (page previews excluded)."""
    qs = AccessLog.objects.exclude(action=AccessLog.Action.PREVIEW)
    if year is not None:
        start, end = _year_bounds(year)
        qs = qs.filter(at__gte=start, at__lt=end)
    return qs.count()


def active_grants() -> int:
    now = timezone.now()
    return Grant.objects.filter(
        Q(revoked_at__isnull=True), valid_from__lte=now, expires_at__gt=now
    ).count()


INDICATORS: dict[str, Callable[..., float]] = {
    "opendata_datasets_opened": datasets_opened,
    "opendata_open_rate": open_rate,
    "opendata_downloads": downloads,
    "opendata_active_grants": active_grants,
}


def register_with_plan() -> bool:
    """Register each indicator as a live source of ``ceyuan.plan.live`` (indicator codes as
    in ``INDICATORS``); returns whether the registry exists."""
    try:
        from ceyuan.plan.engine.projection import Observation, SourceKind
        from ceyuan.plan.live import live_source
    except ImportError:
        return False

    def source(code: str, function: Callable[[], float]) -> None:
        def compute(today: dt.date) -> Observation:
            return Observation(
                period=today,
                value=float(function()),
                source_kind=SourceKind.COMPUTED,
                source=f"opendata.{code}",
            )

        live_source(f"opendata.{code}", indicator=code)(compute)

    source("opendata_datasets_opened", datasets_opened)
    source("opendata_open_rate", open_rate)
    source("opendata_downloads", downloads)
    source("opendata_active_grants", active_grants)
    return True
