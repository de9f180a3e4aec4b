"""Live indicators: figures computed from the platform itself rather than entered by people.

A *live source* computes one indicator's current figure. Apps register sources in their
``AppConfig.ready()``::

    from ceyuan.plan.live import live_source

    @live_source("compute.domestic_share", indicator="domestic_hardware_share")
    def domestic_share(today: date) -> Observation | None: ...

One signature for every source: ``(today) -> engine Observation | None`` (``None``: nothing to
report yet). The name is the identifier stored on each observation (``computed_from``), so a
figure always says where it came from. The plan's own sources wrap the engine's providers
(``ceyuan.plan.engine.scorecards.LIVE_INDICATORS``) over the work-plan items in the database.

``observations_refresh_live()`` runs every source and stores what changed, through the service.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from ceyuan.plan.engine.projection import Observation as EngineObservation
from ceyuan.plan.engine.scorecards import LIVE_INDICATORS

LiveProvider = Callable[[dt.date], EngineObservation | None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LiveSource:
    name: str
    indicator: str
    compute: LiveProvider


_SOURCES: dict[str, LiveSource] = {}


def live_source(name: str, *, indicator: str) -> Callable[[LiveProvider], LiveProvider]:
    """Register ``fn`` as the live source ``name`` feeding the indicator with code
    ``indicator``. Registering a name twice replaces the first (apps may be reloaded)."""

    def register(fn: LiveProvider) -> LiveProvider:
        _SOURCES[name] = LiveSource(name=name, indicator=indicator, compute=fn)
        return fn

    return register


def unregister(name: str) -> None:
    _SOURCES.pop(name, None)


def registered_sources() -> list[LiveSource]:
    return sorted(_SOURCES.values(), key=lambda s: s.name)


def sources_for(indicator_code: str) -> list[LiveSource]:
    return [s for s in registered_sources() if s.indicator == indicator_code]


def _engine_items() -> list:  # type: ignore[type-arg]
    from . import adapters
    from .models import WorkPlanItem

    return adapters.work_plan_items(WorkPlanItem.objects.select_related("owner_unit", "task"))


@live_source("plan.work_plan_on_time_share", indicator="work_plan_on_time_share")
def work_plan_on_time_share(today: dt.date) -> EngineObservation | None:
    return LIVE_INDICATORS["work_plan_on_time_share"](_engine_items(), today)


@live_source("plan.work_plan_overdue_items", indicator="work_plan_overdue_items")
def work_plan_overdue_items(today: dt.date) -> EngineObservation | None:
    return LIVE_INDICATORS["work_plan_overdue_items"](_engine_items(), today)


def observations_refresh_live(*, today: dt.date | None = None) -> list:  # type: ignore[type-arg]
    """Compute every registered source and store the figures that changed (system actor).

    A source whose indicator is not in the database, or that fails, is skipped and logged:
    one broken feed must not stop the others."""
    from .models import Indicator
    from .services import observation_record_computed

    today = today or timezone.localdate()
    stored = []
    for source in registered_sources():
        indicators = Indicator.objects.filter(code=source.indicator)
        if not indicators.exists():
            log.warning("live source %s: no indicator %s", source.name, source.indicator)
            continue
        try:
            computed = source.compute(today)
        except Exception:
            log.exception("live source %s failed", source.name)
            continue
        if computed is None:
            continue
        for indicator in indicators:
            obs = observation_record_computed(
                indicator=indicator, computed=computed, provider=source.name
            )
            if obs is not None:
                stored.append(obs)
    return stored
