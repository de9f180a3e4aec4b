"""Indicator status and projection: the behaviour a coordinator sees on the plan dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceyuan.plan.engine.fitting import FitModel, Point, fit_compound, fit_linear
from ceyuan.plan.engine.planfile import DEFAULT_PLAN_PATH, load_plan
from ceyuan.plan.engine.projection import (
    IndicatorSpec,
    Observation,
    SourceKind,
    Status,
    assess,
    spec_from_plan,
)
from ceyuan.plan.engine.quantities import Baseline, Direction, Interval, Qualifier, Target

Q = Qualifier
CORE = IndicatorSpec(
    "core_industry_scale",
    Direction.INCREASE,
    Target(2025, Q.AT_LEAST, 3000),
    unit_zh="亿元",
    unit_en="100 million CNY",
)


def obs(period: int | dt.date, value: float, qualifier: Qualifier = Q.EXACT) -> Observation:
    return Observation(period, value, qualifier)


RISING = [obs(2023, 1800), obs(2024, 2200, Q.MORE_THAN), obs(2025, 3100, Q.ABOUT)]


def test_rising_to_about_3100_two_years_after_1800_is_achieved_early() -> None:
    result = assess(CORE, RISING, today=dt.date(2025, 12, 1))
    assert result.status is Status.ACHIEVED
    assert result.early
    assert result.achieved_in == 2025
    assert result.message.code == "achieved_early"
    assert "提前" in result.message.zh
    assert "about 3,100" in result.message.en
    assert result.progress == 1.0


def test_achievement_before_the_target_year_is_early_whenever_it_is_judged() -> None:
    spec = IndicatorSpec("x", Direction.INCREASE, Target(2026, Q.AT_LEAST, 3000))
    result = assess(spec, RISING, today=dt.date(2027, 3, 1))
    assert (result.status, result.early, result.achieved_in) == (Status.ACHIEVED, True, 2025)


def test_achievement_confirmed_after_the_deadline_is_not_early() -> None:
    result = assess(CORE, RISING, today=dt.date(2026, 3, 1))
    assert (result.status, result.early, result.message.code) == (
        Status.ACHIEVED,
        False,
        "achieved",
    )


def test_series_flat_at_forty_percent_of_target_is_off_track() -> None:
    flat = [obs(2022, 1200), obs(2023, 1200), obs(2024, 1200)]
    result = assess(CORE, flat, today=dt.date(2025, 1, 15))
    assert result.status is Status.OFF_TRACK
    assert result.message.code == "off_track"
    assert result.progress == 0.0
    assert result.projection is not None
    assert result.projection.value == pytest.approx(1200)
    assert "明显达不到" in result.message.zh


def test_steady_growth_reaching_the_target_by_trend_is_on_track() -> None:
    series = [obs(2022, 2000), obs(2023, 2300), obs(2024, 2650)]
    result = assess(CORE, series, today=dt.date(2025, 1, 15))
    assert result.status is Status.ON_TRACK
    assert result.projection is not None
    assert result.projection.value >= 3000
    assert result.projection.band.lower is not None
    assert result.projection.band.lower <= result.projection.value


def test_growth_slightly_short_of_the_target_is_at_risk() -> None:
    series = [obs(2022, 2000), obs(2023, 2300), obs(2024, 2580)]
    result = assess(CORE, series, today=dt.date(2025, 1, 15))
    assert result.status is Status.AT_RISK


@pytest.mark.parametrize(
    ("qualifier", "value", "target", "achieved"),
    [
        (Q.MORE_THAN, 3000, Target(2025, Q.AT_LEAST, 3000), True),
        (Q.MORE_THAN, 3200, Target(2025, Q.AT_LEAST, 3000), True),
        (Q.MORE_THAN, 10000, Target(2025, Q.MORE_THAN, 10000), True),
        (Q.EXACT, 10000, Target(2025, Q.MORE_THAN, 10000), False),
        (Q.AT_LEAST, 10000, Target(2025, Q.MORE_THAN, 10000), False),
        (Q.NEAR, 3000, Target(2025, Q.AT_LEAST, 3000), False),
        (Q.NEAR, 2900, Target(2025, Q.AT_LEAST, 3000), False),
        (Q.NEAR, 3500, Target(2025, Q.AT_LEAST, 3000), True),
        (Q.ABOUT, 3100, Target(2025, Q.AT_LEAST, 3000), True),
        (Q.ABOUT, 3000, Target(2025, Q.AT_LEAST, 3000), False),
        (Q.MORE_THAN, 2900, Target(2025, Q.AT_LEAST, 3000), False),
    ],
)
def test_qualifiers_decide_whether_a_figure_surely_meets_the_target(
    qualifier: Qualifier, value: float, target: Target, achieved: bool
) -> None:
    spec = IndicatorSpec("x", Direction.INCREASE, target)
    result = assess(spec, [obs(2025, value, qualifier)], today=dt.date(2025, 6, 1))
    assert (result.status is Status.ACHIEVED) is achieved


def test_decreasing_rank_reaching_first_place_is_achieved() -> None:
    rank = IndicatorSpec("rank", Direction.DECREASE, Target(2025, Q.AT_MOST, 1))
    result = assess(rank, [obs(2023, 3), obs(2024, 2), obs(2025, 1)], today=dt.date(2025, 6, 1))
    assert result.status is Status.ACHIEVED


def test_decreasing_indicator_stuck_far_above_target_is_off_track() -> None:
    rank = IndicatorSpec("rank", Direction.DECREASE, Target(2025, Q.AT_MOST, 1))
    result = assess(rank, [obs(2022, 5), obs(2023, 5), obs(2024, 5)], today=dt.date(2025, 1, 1))
    assert result.status is Status.OFF_TRACK


def test_decreasing_indicator_falling_fast_enough_is_on_track() -> None:
    spec = IndicatorSpec("pue", Direction.DECREASE, Target(2025, Q.LESS_THAN, 6.5))
    result = assess(spec, [obs(2023, 10), obs(2024, 8)], today=dt.date(2025, 1, 1))
    assert result.status is Status.ON_TRACK
    assert result.projection is not None
    assert result.projection.value == pytest.approx(6)
    assert result.threshold == 6.5


def test_less_than_observation_below_a_decreasing_target_counts_as_achieved() -> None:
    spec = IndicatorSpec("x", Direction.DECREASE, Target(2025, Q.AT_MOST, 5))
    result = assess(spec, [obs(2024, 5, Q.LESS_THAN)], today=dt.date(2025, 1, 1))
    assert result.status is Status.ACHIEVED


def test_single_observation_without_baseline_gives_no_trend_and_says_so() -> None:
    result = assess(CORE, [obs(2023, 2000)], today=dt.date(2024, 3, 1))
    assert result.status is Status.AT_RISK
    assert result.message.code == "single_observation"
    assert result.projection is None
    assert "一个观测值" in result.message.zh


def test_single_observation_with_a_baseline_is_projected_from_the_baseline() -> None:
    spec = IndicatorSpec(
        "x", Direction.INCREASE, Target(2025, Q.AT_LEAST, 3000), baseline=Baseline(2000, 2022)
    )
    result = assess(spec, [obs(2023, 2400)], today=dt.date(2024, 3, 1))
    assert result.projection is not None
    assert result.projection.value >= 3000
    assert result.status is Status.ON_TRACK
    assert result.progress == pytest.approx(0.4)


def test_missing_years_are_fitted_on_their_real_dates() -> None:
    result = assess(CORE, [obs(2021, 1000), obs(2024, 1600)], today=dt.date(2025, 1, 1))
    assert result.projection is not None
    assert result.projection.linear is not None
    assert result.projection.linear.predict(2025) == pytest.approx(1800)
    assert result.status is Status.OFF_TRACK


def test_dated_readings_sit_inside_their_year() -> None:
    mid = Observation(dt.date(2025, 7, 2), 10)
    assert 2024.49 < mid.x < 2024.51
    assert Observation(dt.date(2025, 12, 31), 10).x == pytest.approx(2025)
    assert mid.year == 2025


def test_no_observations_is_no_data() -> None:
    result = assess(CORE, [], today=dt.date(2024, 1, 1))
    assert result.status is Status.NO_DATA
    assert (result.message.zh, result.message.en) == ("暂无观测数据。", "No observations yet.")
    assert result.progress is None


def test_target_year_passed_with_a_short_final_figure_is_off_track() -> None:
    result = assess(CORE, [obs(2024, 2500), obs(2025, 2800)], today=dt.date(2026, 4, 1))
    assert result.status is Status.OFF_TRACK
    assert result.message.code == "target_missed"


GROWTH = IndicatorSpec(
    "core_industry_growth",
    Direction.INCREASE,
    Target(2025, Q.AT_LEAST, 10, sustained=True),
    period_start=2023,
    unit_zh="%",
    unit_en="%",
)


def test_sustained_growth_missed_in_one_year_is_off_track() -> None:
    result = assess(GROWTH, [obs(2023, 12), obs(2024, 9), obs(2025, 14)], today=dt.date(2026, 1, 1))
    assert result.status is Status.OFF_TRACK
    assert result.message.code == "sustained_missed"
    assert result.message.params["year"] == 2024
    assert "不低于10%" in result.message.zh


def test_sustained_growth_held_so_far_is_on_track_and_achieved_at_the_end() -> None:
    so_far = [obs(2022, 5), obs(2023, 12), obs(2024, 10)]  # 2022 is before the period
    assert assess(GROWTH, so_far, today=dt.date(2025, 2, 1)).status is Status.ON_TRACK
    full = [*so_far, obs(2025, 11)]
    assert assess(GROWTH, full, today=dt.date(2026, 2, 1)).status is Status.ACHIEVED


def test_sustained_growth_reported_as_about_the_threshold_is_at_risk() -> None:
    result = assess(GROWTH, [obs(2023, 12), obs(2024, 10, Q.ABOUT)], today=dt.date(2025, 2, 1))
    assert result.status is Status.AT_RISK


def test_significant_increase_is_read_as_twenty_percent_over_baseline() -> None:
    spec = IndicatorSpec(
        "domestic_share",
        Direction.INCREASE,
        Target(2025, Q.SIGNIFICANT_INCREASE),
        baseline=Baseline(20, 2022),
    )
    assert assess(spec, [obs(2025, 25)], today=dt.date(2025, 6, 1)).status is Status.ACHIEVED
    assert assess(spec, [obs(2025, 23)], today=dt.date(2025, 6, 1)).status is not Status.ACHIEVED


def test_range_target_counts_from_its_lower_bound() -> None:
    spec = IndicatorSpec(
        "new_unicorns", Direction.INCREASE, Target(2025, Q.RANGE, lower=5, upper=10)
    )
    series = [obs(2023, 2), obs(2024, 4), obs(2025, 6)]
    assert assess(spec, series, today=dt.date(2025, 6, 1)).status is Status.ACHIEVED
    assert assess(spec, series[:2], today=dt.date(2025, 1, 1)).status is Status.ON_TRACK


def test_interval_fit_only_pulls_when_the_curve_leaves_the_interval() -> None:
    points = [Point(2023, Interval(1800, 1800)), Point(2024, Interval(2200, None, lower_open=True))]
    points.append(Point(2025, Interval(3000, 3000)))
    line = fit_linear(points)
    assert line is not None
    assert line.sse == pytest.approx(0, abs=1e-6)  # 2,400 in 2024 is "more than 2,200"
    assert line.predict(2024) > 2200
    growth = fit_compound(points)
    assert growth is not None and growth.model is FitModel.COMPOUND
    assert growth.annual_growth == pytest.approx((3000 / 1800) ** 0.5 - 1, rel=1e-3)


def test_compound_fit_is_skipped_when_figures_may_be_zero() -> None:
    assert fit_compound([Point(2023, Interval(0, 0)), Point(2024, Interval(2, 2))]) is None


def test_observation_records_its_source() -> None:
    o = Observation(2024, 5, source_kind=SourceKind.COMPUTED, source="compute accounting")
    assert (o.source_kind, o.source) == (SourceKind.COMPUTED, "compute accounting")
    with pytest.raises(ValueError, match="needs a value"):
        Observation(2024, None, Q.ABOUT)


def test_every_indicator_of_the_shipped_plan_can_be_assessed() -> None:
    plan = load_plan(DEFAULT_PLAN_PATH)
    for indicator in plan.indicators:
        spec = spec_from_plan(indicator, period_start=plan.plan.period_start)
        assert assess(spec, [], today=dt.date(2024, 1, 1)).status is Status.NO_DATA
        some = [obs(2023, 1), obs(2024, 2)]
        result = assess(spec, some, today=dt.date(2024, 6, 1))
        assert "{" not in result.message.zh and "{" not in result.message.en


# -- invariants ----------------------------------------------------------------------------------

values = st.floats(min_value=0, max_value=1e6, allow_nan=False)
QUALIFIERS = st.sampled_from(
    [Q.EXACT, Q.ABOUT, Q.NEAR, Q.MORE_THAN, Q.AT_LEAST, Q.LESS_THAN, Q.AT_MOST]
)


@given(history=st.lists(values, min_size=0, max_size=4), a=values, b=values)
def test_progress_is_monotone_in_the_latest_value(history: list[float], a: float, b: float) -> None:
    spec = IndicatorSpec(
        "x", Direction.INCREASE, Target(2025, Q.AT_LEAST, 2e6), baseline=Baseline(0, 2015)
    )
    series = [obs(2016 + i, v) for i, v in enumerate(history)]
    low, high = sorted((a, b))
    p_low = assess(spec, [*series, obs(2024, low)], today=dt.date(2024, 6, 1)).progress_raw
    p_high = assess(spec, [*series, obs(2024, high)], today=dt.date(2024, 6, 1)).progress_raw
    assert p_low is not None and p_high is not None
    assert p_low <= p_high


@given(
    history=st.lists(st.tuples(values, QUALIFIERS), max_size=4),
    latest=st.tuples(values, QUALIFIERS),
    target=st.floats(min_value=1, max_value=1e6),
    direction=st.sampled_from(list(Direction)),
    today=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)),
)
def test_never_achieved_when_the_latest_figure_is_surely_short(
    history: list[tuple[float, Qualifier]],
    latest: tuple[float, Qualifier],
    target: float,
    direction: Direction,
    today: dt.date,
) -> None:
    qualifier = Q.AT_LEAST if direction is Direction.INCREASE else Q.AT_MOST
    spec = IndicatorSpec("x", direction, Target(2025, qualifier, target))
    series = [obs(2018 + i, v, q) for i, (v, q) in enumerate(history)]
    last = obs(2024, *latest)
    result = assess(spec, [*series, last], today=today)
    iv = last.interval
    if direction is Direction.INCREASE and iv.upper is not None and iv.upper < target:
        assert result.status is not Status.ACHIEVED
    if direction is Direction.DECREASE and iv.lower is not None and iv.lower > target:
        assert result.status is not Status.ACHIEVED
    assert result.status is not Status.NO_DATA
