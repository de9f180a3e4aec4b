"""Unit scorecards and the plan's own live indicators, computed from work plans and reports.

A unit (牵头单位 / 配合单位) is scored on what it owns: the annual work-plan items whose owner it
is, and the progress reports it must submit. Assignments to tasks are counted (tasks led,
tasks cooperated on) but do not enter the score: an item has one owner, and crediting the
cooperating units too would count the same work twice.

Counts, as of ``today`` (cancelled items are left out of everything):

* items_done: status ``done``; items_on_time: done with completed_on ≤ deadline;
  items_late: done after the deadline; items_overdue: not done and deadline < today;
  items_open: not done and not yet due.
* on_time_rate = items_on_time / (items_done + items_overdue) — the items whose outcome is known.
* reports: due = submitted, or not submitted with due_on < today; on time = submitted_on ≤ due_on;
  punctuality = on time / due; acceptance_rate = accepted / (accepted + returned).

Score (0–100)::

    score = 100 · Σ_k w_k · r_k / Σ_k w_k  −  overdue_penalty · items_overdue,   clamped to [0, 100]

over the components r_k that have a denominator (on_time_rate w=0.6, acceptance_rate w=0.25,
report punctuality w=0.15): a unit with nothing due yet is not scored as zero, its score is
``None``. The penalty (2 points per open overdue item) makes lateness that can still be fixed
visible at once, not only when the item is finally closed.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ceyuan.plan.engine.projection import Observation, SourceKind

__all__ = [
    "LIVE_INDICATORS",
    "Assignment",
    "ItemStatus",
    "ReportReview",
    "ReportSubmission",
    "Role",
    "ScoreWeights",
    "UnitScorecard",
    "WorkPlanItem",
    "live_indicator",
    "on_time_completion_share",
    "overdue_item_count",
    "unit_scorecards",
]


class Role(enum.StrEnum):
    LEAD = "lead"
    COOPERATING = "cooperating"


class ItemStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class ReportReview(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    RETURNED = "returned"


@dataclass(frozen=True, slots=True)
class Assignment:
    unit: str
    task: int
    role: Role


@dataclass(frozen=True, slots=True)
class WorkPlanItem:
    code: str
    owner_unit: str
    deadline: dt.date
    status: ItemStatus = ItemStatus.PLANNED
    completed_on: dt.date | None = None
    task: int | None = None

    def __post_init__(self) -> None:
        if (self.status is ItemStatus.DONE) != (self.completed_on is not None):
            raise ValueError(f"work-plan item {self.code}: completed_on is set if and only if done")

    def on_time(self) -> bool:
        return self.completed_on is not None and self.completed_on <= self.deadline

    def overdue(self, today: dt.date) -> bool:
        return self.status in (ItemStatus.PLANNED, ItemStatus.IN_PROGRESS) and self.deadline < today


@dataclass(frozen=True, slots=True)
class ReportSubmission:
    unit: str
    period: str
    due_on: dt.date
    submitted_on: dt.date | None = None
    review: ReportReview = ReportReview.PENDING

    def __post_init__(self) -> None:
        if self.submitted_on is None and self.review is not ReportReview.PENDING:
            raise ValueError(f"report {self.unit}/{self.period}: reviewed but never submitted")


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    on_time: float = 0.6
    accepted: float = 0.25
    punctuality: float = 0.15
    overdue_penalty: float = 2.0


@dataclass(frozen=True, slots=True)
class UnitScorecard:
    unit: str
    tasks_led: int
    tasks_cooperating: int
    items_total: int
    items_done: int
    items_on_time: int
    items_late: int
    items_overdue: int
    items_open: int
    on_time_rate: float | None
    reports_due: int
    reports_submitted: int
    reports_on_time: int
    reports_accepted: int
    reports_returned: int
    acceptance_rate: float | None
    report_punctuality: float | None
    score: float | None


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def unit_scorecards(
    *,
    assignments: Iterable[Assignment],
    items: Iterable[WorkPlanItem],
    reports: Iterable[ReportSubmission],
    today: dt.date,
    weights: ScoreWeights = ScoreWeights(),
) -> tuple[UnitScorecard, ...]:
    """One scorecard per unit that appears anywhere in the inputs, ordered by unit."""
    assignments, items, reports = list(assignments), list(items), list(reports)
    live = [i for i in items if i.status is not ItemStatus.CANCELLED]
    units = sorted(
        {a.unit for a in assignments} | {i.owner_unit for i in live} | {r.unit for r in reports}
    )
    cards = []
    for unit in units:
        mine = [i for i in live if i.owner_unit == unit]
        done = [i for i in mine if i.status is ItemStatus.DONE]
        on_time = sum(1 for i in done if i.on_time())
        overdue = sum(1 for i in mine if i.overdue(today))
        rs = [r for r in reports if r.unit == unit]
        submitted = [r for r in rs if r.submitted_on is not None]
        due = len(submitted) + sum(1 for r in rs if r.submitted_on is None and r.due_on < today)
        r_on_time = sum(
            1 for r in submitted if r.submitted_on is not None and r.submitted_on <= r.due_on
        )
        accepted = sum(1 for r in rs if r.review is ReportReview.ACCEPTED)
        returned = sum(1 for r in rs if r.review is ReportReview.RETURNED)
        on_time_rate = _ratio(on_time, len(done) + overdue)
        acceptance = _ratio(accepted, accepted + returned)
        punctuality = _ratio(r_on_time, due)
        cards.append(
            UnitScorecard(
                unit=unit,
                tasks_led=len(
                    {a.task for a in assignments if a.unit == unit and a.role is Role.LEAD}
                ),
                tasks_cooperating=len(
                    {a.task for a in assignments if a.unit == unit and a.role is Role.COOPERATING}
                ),
                items_total=len(mine),
                items_done=len(done),
                items_on_time=on_time,
                items_late=len(done) - on_time,
                items_overdue=overdue,
                items_open=len(mine) - len(done) - overdue,
                on_time_rate=on_time_rate,
                reports_due=due,
                reports_submitted=len(submitted),
                reports_on_time=r_on_time,
                reports_accepted=accepted,
                reports_returned=returned,
                acceptance_rate=acceptance,
                report_punctuality=punctuality,
                score=score(on_time_rate, acceptance, punctuality, overdue, weights),
            )
        )
    return tuple(cards)


def score(
    on_time_rate: float | None,
    acceptance_rate: float | None,
    punctuality: float | None,
    overdue: int,
    weights: ScoreWeights = ScoreWeights(),
) -> float | None:
    """The documented formula (module docstring); ``None`` when no component has data."""
    parts = [
        (weights.on_time, on_time_rate),
        (weights.accepted, acceptance_rate),
        (weights.punctuality, punctuality),
    ]
    present = [(w, r) for w, r in parts if r is not None and w > 0]
    if not present:
        return None
    raw = 100 * sum(w * r for w, r in present) / sum(w for w, _ in present)
    return max(0.0, min(100.0, raw - weights.overdue_penalty * overdue))


# ---------------------------------------------------------------------------------------------
# Live indicators: the plan measuring its own implementation.

LiveProvider = Callable[[Sequence[WorkPlanItem], dt.date], Observation | None]
LIVE_INDICATORS: dict[str, LiveProvider] = {}


def live_indicator(code: str) -> Callable[[LiveProvider], LiveProvider]:
    """Register a provider under the indicator code used in settings, database and UI."""

    def register(fn: LiveProvider) -> LiveProvider:
        if code in LIVE_INDICATORS:
            raise ValueError(f"live indicator {code!r} registered twice")
        LIVE_INDICATORS[code] = fn
        return fn

    return register


@live_indicator("work_plan_on_time_share")
def on_time_completion_share(items: Sequence[WorkPlanItem], today: dt.date) -> Observation | None:
    """Per cent of work-plan items with a known outcome that were completed on time."""
    live = [i for i in items if i.status is not ItemStatus.CANCELLED]
    known = [i for i in live if i.status is ItemStatus.DONE or i.overdue(today)]
    if not known:
        return None
    share = 100 * sum(1 for i in known if i.on_time()) / len(known)
    return Observation(
        period=today,
        value=share,
        source_kind=SourceKind.COMPUTED,
        source=f"年度工作计划：{len(known)} 个已有结果的事项",  # sources are data, in Chinese
    )


@live_indicator("work_plan_overdue_items")
def overdue_item_count(items: Sequence[WorkPlanItem], today: dt.date) -> Observation | None:
    """Number of work-plan items past their deadline and not done."""
    count = sum(1 for i in items if i.overdue(today))
    return Observation(
        period=today,
        value=float(count),
        source_kind=SourceKind.COMPUTED,
        source=f"年度工作计划：共 {len(items)} 个事项",
    )
