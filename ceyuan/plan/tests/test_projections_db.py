"""Indicator status through the database path: rows → adapters → engine → page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ceyuan.plan import selectors, services
from ceyuan.plan.models import Indicator, Observation, Plan

pytestmark = pytest.mark.django_db


def _record(indicator: Indicator, coordinator: Any, series: list[tuple[int, float, str]]) -> None:
    for year, value, qualifier in series:
        services.observation_create(
            actor=coordinator,
            indicator=indicator,
            period_year=year,
            value=value,
            qualifier=qualifier,
            source="统计公报",
        )


def test_rising_series_to_about_3100_is_achieved_early(plan: Plan, world: Any) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    _record(
        core,
        world.coordinator,
        [(2023, 1800, "exact"), (2024, 2200, "more_than"), (2025, 3100, "about")],
    )
    view = selectors.indicator_view(core, dt.date(2025, 12, 1))
    assert view.status is not None
    assert view.status_code == "achieved"
    assert view.status.early
    assert view.status.achieved_in == 2025
    assert [o.value for o in view.observations] == [1800, 2200, 3100]


def test_series_flat_at_forty_percent_of_target_is_off_track(plan: Plan, world: Any) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    _record(
        core,
        world.coordinator,
        [(2022, 1200, "exact"), (2023, 1200, "exact"), (2024, 1200, "exact")],
    )
    view = selectors.indicator_view(core, dt.date(2025, 1, 15))
    assert view.status_code == "off_track"
    assert view.progress_percent == 0


def test_indicator_without_figures_has_no_data(plan: Plan) -> None:
    views = selectors.indicator_views(plan, dt.date(2025, 1, 1))
    targets = [v for v in views if v.indicator.goal_area_id is not None]
    assert targets and all(v.status_code == "no_data" for v in targets)
    assert all(v.status_code == "monitoring" for v in views if v.indicator.goal_area_id is None)


def test_inconsistent_figure_is_refused_with_its_field(plan: Plan, world: Any) -> None:
    from django.core.exceptions import ValidationError

    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    with pytest.raises(ValidationError) as caught:
        services.observation_create(
            actor=world.coordinator,
            indicator=core,
            period_year=2024,
            value=None,
            qualifier="range",
            lower=3000,
            upper=2000,
        )
    assert "value" in caught.value.message_dict
    assert Observation.objects.count() == 0
