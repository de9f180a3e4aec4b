"""Unit scorecards and the plan's own live indicators."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceyuan.plan.engine.projection import SourceKind
from ceyuan.plan.engine.scorecards import (
    LIVE_INDICATORS,
    Assignment,
    ItemStatus,
    ReportReview,
    ReportSubmission,
    Role,
    ScoreWeights,
    WorkPlanItem,
    on_time_completion_share,
    overdue_item_count,
    score,
    unit_scorecards,
)

D = dt.date.fromisoformat
TODAY = D("2025-07-01")


def item(
    code: str,
    unit: str,
    deadline: str,
    completed_on: str | None = None,
    status: ItemStatus | None = None,
) -> WorkPlanItem:
    done = completed_on is not None
    return WorkPlanItem(
        code=code,
        owner_unit=unit,
        deadline=D(deadline),
        status=status or (ItemStatus.DONE if done else ItemStatus.IN_PROGRESS),
        completed_on=D(completed_on) if completed_on else None,
        task=6,
    )


ITEMS = [
    item("a1", "经信局", "2025-03-31", "2025-03-20"),  # on time
    item("a2", "经信局", "2025-05-31", "2025-06-10"),  # late
    item("a3", "经信局", "2025-06-15"),  # overdue
    item("a4", "经信局", "2025-09-30"),  # open
    item("a5", "经信局", "2025-04-30", status=ItemStatus.CANCELLED),
    item("b1", "科委", "2025-06-30", "2025-06-30"),
]
REPORTS = [
    ReportSubmission("经信局", "2025Q1", D("2025-04-10"), D("2025-04-08"), ReportReview.ACCEPTED),
    ReportSubmission("经信局", "2025Q2", D("2025-06-30"), D("2025-07-01"), ReportReview.RETURNED),
    ReportSubmission("科委", "2025Q1", D("2025-04-10")),  # never submitted, due
    ReportSubmission("科委", "2025Q3", D("2025-10-10")),  # not due yet
]
ASSIGNMENTS = [
    Assignment("经信局", 6, Role.LEAD),
    Assignment("经信局", 4, Role.LEAD),
    Assignment("科委", 6, Role.COOPERATING),
    Assignment("网信办", 15, Role.LEAD),
]


def test_scorecard_counts_items_and_reports_per_unit() -> None:
    cards = {
        c.unit: c
        for c in unit_scorecards(assignments=ASSIGNMENTS, items=ITEMS, reports=REPORTS, today=TODAY)
    }
    eco = cards["经信局"]
    assert (eco.tasks_led, eco.tasks_cooperating) == (2, 0)
    assert (eco.items_total, eco.items_done, eco.items_on_time, eco.items_late) == (4, 2, 1, 1)
    assert (eco.items_overdue, eco.items_open) == (1, 1)
    assert eco.on_time_rate == pytest.approx(1 / 3)
    assert (eco.reports_due, eco.reports_submitted, eco.reports_on_time) == (2, 2, 1)
    assert (eco.reports_accepted, eco.reports_returned) == (1, 1)
    expected = 100 * (0.6 / 3 + 0.25 * 0.5 + 0.15 * 0.5) - 2 * 1
    assert eco.score == pytest.approx(expected)

    sci = cards["科委"]
    assert sci.tasks_cooperating == 1
    assert sci.on_time_rate == 1.0
    assert (sci.reports_due, sci.reports_submitted, sci.report_punctuality) == (1, 0, 0.0)
    assert sci.acceptance_rate is None  # nothing reviewed: weight goes to the others
    assert sci.score == pytest.approx(100 * (0.6 * 1 + 0.15 * 0) / 0.75)

    idle = cards["网信办"]
    assert (idle.tasks_led, idle.items_total, idle.score) == (1, 0, None)


def test_a_unit_with_everything_on_time_scores_full_marks() -> None:
    assert score(1.0, 1.0, 1.0, 0) == 100
    assert score(None, None, None, 0) is None
    assert score(0.1, None, None, 40) == 0  # clamped


def test_weights_are_configurable() -> None:
    w = ScoreWeights(on_time=1, accepted=0, punctuality=0, overdue_penalty=0)
    assert score(0.5, 0.0, 0.0, 3, w) == 50


def test_done_items_need_a_completion_date_and_only_they_have_one() -> None:
    with pytest.raises(ValueError, match="completed_on"):
        WorkPlanItem("x", "u", TODAY, ItemStatus.DONE)
    with pytest.raises(ValueError, match="completed_on"):
        WorkPlanItem("x", "u", TODAY, ItemStatus.PLANNED, completed_on=TODAY)
    with pytest.raises(ValueError, match="never submitted"):
        ReportSubmission("u", "2025Q1", TODAY, None, ReportReview.ACCEPTED)


def test_live_indicators_measure_the_plans_own_implementation() -> None:
    share = on_time_completion_share(ITEMS, TODAY)
    assert share is not None
    assert share.value == pytest.approx(100 * 2 / 4)  # a1, b1 on time; a2 late; a3 overdue
    assert share.source_kind is SourceKind.COMPUTED
    assert share.period == TODAY
    overdue = overdue_item_count(ITEMS, TODAY)
    assert overdue is not None and overdue.value == 1
    assert set(LIVE_INDICATORS) == {"work_plan_on_time_share", "work_plan_overdue_items"}
    assert on_time_completion_share([], TODAY) is None


statuses = st.sampled_from(list(ItemStatus))
dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31))


@st.composite
def work_items(draw: st.DrawFn) -> WorkPlanItem:
    status = draw(statuses)
    return WorkPlanItem(
        code=f"item{draw(st.integers(0, 99))}",
        owner_unit=draw(st.sampled_from(["a", "b", "c"])),
        deadline=draw(dates),
        status=status,
        completed_on=draw(dates) if status is ItemStatus.DONE else None,
    )


@given(items=st.lists(work_items(), max_size=20), today=dates)
def test_scorecard_counts_partition_the_items(items: list[WorkPlanItem], today: dt.date) -> None:
    cards = unit_scorecards(assignments=[], items=items, reports=[], today=today)
    live = [i for i in items if i.status is not ItemStatus.CANCELLED]
    assert sum(c.items_total for c in cards) == len(live)
    for c in cards:
        assert c.items_on_time + c.items_late == c.items_done
        assert c.items_done + c.items_overdue + c.items_open == c.items_total
        assert c.score is None or 0 <= c.score <= 100
    total_overdue = overdue_item_count(items, today)
    assert total_overdue is not None
    assert sum(c.items_overdue for c in cards) == total_overdue.value
