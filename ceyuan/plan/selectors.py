"""Reads for the plan app, scoped to what the user may see, and the engine computations
(indicator status, milestone states, scorecards) run over rows through ``adapters``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ceyuan.accounts.models import Organisation
from ceyuan.accounts.permissions import is_coordinator, organisation_ids
from ceyuan.plan.engine.messages import format_number
from ceyuan.plan.engine.milestones import MilestoneStatus, milestone_status
from ceyuan.plan.engine.projection import IndicatorStatus, assess
from ceyuan.plan.engine.scorecards import UnitScorecard, unit_scorecards

from . import adapters
from .models import (
    Assignment,
    Indicator,
    Milestone,
    Observation,
    Plan,
    ProgressReport,
    RiskFlag,
    WorkPlanItem,
)

STATUS_LABELS = {
    "achieved": _("achieved"),
    "on_track": _("on track"),
    "at_risk": _("at risk"),
    "off_track": _("off track"),
    "no_data": _("no data"),
    "monitoring": _("monitoring"),
}
MILESTONE_LABELS = {
    "done": _("done"),
    "done_late": _("done late"),
    "due_soon": _("due soon"),
    "overdue": _("overdue"),
    "pending": _("pending"),
}


def is_english() -> bool:
    return (get_language() or "").startswith("en")


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return format_number(value, "en" if is_english() else "zh")


def current_plan() -> Plan | None:
    return Plan.objects.order_by("-period_start", "-pk").first()


@dataclass
class IndicatorView:
    """An indicator row with its observations and the engine's assessment."""

    indicator: Indicator
    observations: list[Observation]
    status: IndicatorStatus | None

    @property
    def status_code(self) -> str:
        if self.status is None:
            return "monitoring"
        return self.status.status.value

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status_code, self.status_code))

    @property
    def message(self) -> str:
        if self.status is None:
            latest = self.observations[-1] if self.observations else None
            if latest is None:
                return str(_("No figure yet."))
            return str(_("Latest figure: %(value)s %(unit)s")) % {
                "value": number(latest.value),
                "unit": self.indicator.unit,
            }
        return self.status.message.en if is_english() else self.status.message.zh

    @property
    def latest(self) -> Observation | None:
        return self.observations[-1] if self.observations else None

    @property
    def progress_percent(self) -> int | None:
        if self.status is None or self.status.progress is None:
            return None
        return round(100 * self.status.progress)


def _sort_key(o: Observation) -> tuple[int, dt.date, dt.datetime]:
    return (o.period_year, o.period_date or dt.date(o.period_year, 12, 31), o.created_at)


def indicator_view(
    indicator: Indicator, today: dt.date, observations: list[Observation] | None = None
) -> IndicatorView:
    if observations is None:
        observations = list(indicator.observations.select_related("entered_by"))
    observations = sorted(observations, key=_sort_key)
    status = None
    if indicator.has_target:
        status = assess(
            adapters.indicator_spec(indicator),
            [adapters.observation(o) for o in observations],
            today=today,
        )
    return IndicatorView(indicator, observations, status)


def indicator_views(plan: Plan, today: dt.date) -> list[IndicatorView]:
    indicators = list(plan.indicators.select_related("plan", "goal_area"))
    by_indicator: dict[int, list[Observation]] = {i.pk: [] for i in indicators}
    for obs in Observation.objects.filter(indicator__plan=plan):
        by_indicator[obs.indicator_id].append(obs)
    return [indicator_view(i, today, by_indicator[i.pk]) for i in indicators]


def status_counts(views: list[IndicatorView]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for v in views:
        if v.status is not None:
            counts[v.status_code] = counts.get(v.status_code, 0) + 1
    return counts


# --- timeline ---------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    due: dt.date
    kind: str  # "milestone" or "item"
    text: str
    state: MilestoneStatus
    unit: Organisation | None
    url_id: int
    task_number: int | None

    @property
    def state_label(self) -> str:
        return str(MILESTONE_LABELS[self.state.state.value])

    @property
    def state_message(self) -> str:
        return self.state.message.en if is_english() else self.state.message.zh


def timeline(
    plan: Plan, today: dt.date, *, unit: Organisation | None = None
) -> list[TimelineEntry]:
    """Milestones of the plan and deadlines of work-plan items, with their state on the
    working-day calendar, in date order."""
    entries: list[TimelineEntry] = []
    if unit is None:
        for ms in Milestone.objects.filter(plan=plan):
            entries.append(
                TimelineEntry(
                    ms.due,
                    "milestone",
                    ms.text,
                    milestone_status(adapters.commitment_for_milestone(ms), today=today),
                    None,
                    ms.pk,
                    None,
                )
            )
    items = WorkPlanItem.objects.filter(plan=plan).exclude(status=WorkPlanItem.Status.CANCELLED)
    if unit is not None:
        items = items.filter(owner_unit=unit)
    for item in items.select_related("owner_unit", "task"):
        entries.append(
            TimelineEntry(
                item.deadline,
                "item",
                item.milestone_text,
                milestone_status(adapters.commitment_for_item(item), today=today),
                item.owner_unit,
                item.task_id,
                item.task.number,
            )
        )
    return sorted(entries, key=lambda e: (e.due, e.kind, e.text))


def item_states(
    items: QuerySet[WorkPlanItem] | list[WorkPlanItem], today: dt.date
) -> list[tuple[WorkPlanItem, MilestoneStatus]]:
    return [(i, milestone_status(adapters.commitment_for_item(i), today=today)) for i in items]


# --- units and scorecards -----------------------------------------------------------------------


def scorecards(plan: Plan, today: dt.date) -> dict[str, UnitScorecard]:
    cards = unit_scorecards(
        assignments=[
            adapters.assignment(a)
            for a in Assignment.objects.filter(task__plan=plan).select_related("unit", "task")
        ],
        items=adapters.work_plan_items(
            WorkPlanItem.objects.filter(plan=plan).select_related("owner_unit", "task")
        ),
        reports=[
            adapters.report_submission(r)
            for r in ProgressReport.objects.filter(plan=plan)
            .exclude(status=ProgressReport.Status.DRAFT)
            .select_related("unit")
        ],
        today=today,
    )
    return {c.unit: c for c in cards}


def plan_units(plan: Plan) -> QuerySet[Organisation]:
    """Units that take part in the plan: assigned to a task or owning a work-plan item."""
    return (
        Organisation.objects.filter(
            Q(plan_assignments__task__plan=plan) | Q(plan_work_items__plan=plan)
        )
        .distinct()
        .order_by("kind", "code")
    )


def assignable_units() -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        is_active=True,
        kind__in=[
            Organisation.Kind.DEPARTMENT,
            Organisation.Kind.DISTRICT,
            Organisation.Kind.WORK_TEAM,
            Organisation.Kind.RESEARCH_INSTITUTE,
        ],
    ).order_by("kind", "code")


def units_for_reporting(user: Any) -> QuerySet[Organisation]:
    """Units the user may write reports for."""
    units = assignable_units()
    if is_coordinator(user):
        return units
    from .permissions import officer_unit_ids

    return units.filter(pk__in=officer_unit_ids(user))


# --- reports -------------------------------------------------------------------------------------


def reports_visible(user: Any, plan: Plan | None = None) -> QuerySet[ProgressReport]:
    reports = ProgressReport.objects.select_related("unit", "plan")
    if plan is not None:
        reports = reports.filter(plan=plan)
    if is_coordinator(user):
        return reports
    return reports.filter(
        Q(status=ProgressReport.Status.ACCEPTED) | Q(unit_id__in=organisation_ids(user))
    )


def reports_to_review(plan: Plan | None = None) -> QuerySet[ProgressReport]:
    reports = ProgressReport.objects.filter(status=ProgressReport.Status.SUBMITTED)
    if plan is not None:
        reports = reports.filter(plan=plan)
    return reports.select_related("unit").order_by("submitted_on", "pk")


def risk_flags_open(plan: Plan) -> QuerySet[RiskFlag]:
    return RiskFlag.objects.filter(plan=plan, resolved_at__isnull=True).select_related(
        "task", "indicator", "unit"
    )
