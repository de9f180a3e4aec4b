"""Working days on the official Chinese calendar, and milestone deadlines counted in them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceyuan.plan.engine.milestones import Commitment, MilestoneState, milestone_status
from ceyuan.plan.engine.workdays import (
    CalendarRangeError,
    ChineseWorkingCalendar,
    WeekdayCalendar,
    add_working_days,
    is_working_day,
    working_days_between,
)

D = dt.date.fromisoformat


def test_national_day_holidays_are_off_and_make_up_weekends_are_on() -> None:
    assert not is_working_day(D("2025-10-01"))  # 国庆节, a Wednesday
    assert not is_working_day(D("2025-10-08"))
    assert is_working_day(D("2025-09-28"))  # Sunday, make-up working day
    assert is_working_day(D("2025-10-11"))  # Saturday, make-up working day
    assert not is_working_day(D("2025-10-12"))  # an ordinary Sunday


def test_adding_working_days_skips_the_golden_week() -> None:
    assert add_working_days(D("2025-09-30"), 1) == D("2025-10-09")
    assert add_working_days(D("2025-10-09"), -1) == D("2025-09-30")
    assert add_working_days(D("2025-09-26"), 1) == D("2025-09-28")  # Friday → make-up Sunday
    assert add_working_days(D("2025-09-30"), 0) == D("2025-09-30")


def test_working_days_between_counts_the_half_open_interval() -> None:
    assert working_days_between(D("2025-09-30"), D("2025-10-09")) == 1
    assert working_days_between(D("2025-10-09"), D("2025-09-30")) == -1
    assert working_days_between(D("2025-10-01"), D("2025-10-01")) == 0
    # Mon 2025-10-13 → Mon 2025-10-20: five working days
    assert working_days_between(D("2025-10-13"), D("2025-10-20")) == 5


def test_years_without_a_published_schedule_fall_back_to_weekdays_or_refuse() -> None:
    far = D("2040-01-02")  # a Monday
    assert is_working_day(far)
    assert not is_working_day(D("2040-01-07"))  # Saturday
    with pytest.raises(CalendarRangeError, match="2040"):
        ChineseWorkingCalendar(beyond_range="error").is_working_day(far)


def test_weekday_calendar_knows_no_holidays() -> None:
    assert is_working_day(D("2025-10-01"), WeekdayCalendar())
    assert add_working_days(D("2025-10-03"), 1, WeekdayCalendar()) == D("2025-10-06")


days = st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2026, 10, 31))


@given(start=days, n=st.integers(min_value=0, max_value=60))
def test_adding_then_counting_working_days_round_trips(start: dt.date, n: int) -> None:
    assert working_days_between(start, add_working_days(start, n)) == n


@given(start=days, n=st.integers(min_value=-60, max_value=60))
def test_from_a_working_day_adding_n_then_minus_n_returns_to_it(start: dt.date, n: int) -> None:
    day = add_working_days(start, 1)  # a working day
    assert is_working_day(day)
    assert add_working_days(add_working_days(day, n), -n) == day
    assert working_days_between(day, add_working_days(day, n)) == n


@given(a=days, b=days, c=days)
def test_working_days_between_is_additive(a: dt.date, b: dt.date, c: dt.date) -> None:
    assert working_days_between(a, b) + working_days_between(b, c) == working_days_between(a, c)


# -- milestones ----------------------------------------------------------------------------------

DUE = D("2025-10-10")  # a Friday


@pytest.mark.parametrize(
    ("completed_on", "today", "state", "days"),
    [
        (D("2025-10-10"), D("2025-12-01"), MilestoneState.DONE, 0),
        (D("2025-09-01"), D("2025-12-01"), MilestoneState.DONE, 0),
        (D("2025-10-14"), D("2025-12-01"), MilestoneState.DONE_LATE, 3),  # Sat 11th works
        (None, D("2025-10-14"), MilestoneState.OVERDUE, 3),
        (None, D("2025-10-10"), MilestoneState.DUE_SOON, 0),
        (None, D("2025-09-26"), MilestoneState.DUE_SOON, 5),  # Golden Week in between
        (None, D("2025-09-01"), MilestoneState.PENDING, 24),
    ],
)
def test_milestone_states(
    completed_on: dt.date | None, today: dt.date, state: MilestoneState, days: int
) -> None:
    status = milestone_status(Commitment("m", DUE, completed_on), today=today)
    assert (status.state, status.working_days) == (state, days)
    assert status.message.code == f"milestone_{state.value}"
    assert status.message.zh and status.message.en


def test_due_soon_window_is_configurable() -> None:
    item = Commitment("m", DUE)
    today = D("2025-09-26")
    assert milestone_status(item, today=today, due_soon_days=2).state is MilestoneState.PENDING
    overdue = milestone_status(item, today=D("2025-10-13"))
    assert "逾期" in overdue.message.zh and "Overdue" in overdue.message.en


def test_plan_milestones_are_pending_before_their_due_date() -> None:
    from ceyuan.plan.engine.planfile import DEFAULT_PLAN_PATH, load_plan

    plan = load_plan(DEFAULT_PLAN_PATH)
    for ms in plan.milestones:
        status = milestone_status(Commitment(ms.code, ms.due), today=D("2024-06-03"))
        assert status.state is MilestoneState.PENDING


def test_the_official_schedule_covers_the_plan_period() -> None:
    from ceyuan.plan.engine.workdays import PUBLISHED_YEARS

    assert {2023, 2024, 2025} <= set(PUBLISHED_YEARS)
