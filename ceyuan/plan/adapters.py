"""The one place that converts between database rows and plan-engine types.

Rows → engine: indicators become ``IndicatorSpec``, observations ``Observation``, work-plan
items ``WorkPlanItem``, assignments and reports the scorecard inputs, deadlines ``Commitment``.
Engine → rows: a loaded ``PlanDoc`` becomes field dictionaries for ``services.plan_load``, and
a computed observation becomes the fields of an ``Observation`` row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ceyuan.plan.engine import planfile
from ceyuan.plan.engine import projection as eproj
from ceyuan.plan.engine import scorecards as escore
from ceyuan.plan.engine.milestones import Commitment
from ceyuan.plan.engine.quantities import Baseline, Direction, Qualifier, Target

from . import models


def _pair(prefix: str, text: planfile.Text | None) -> dict[str, str]:
    return {f"{prefix}_zh": text.zh if text else "", f"{prefix}_en": text.en if text else ""}


# --- engine → rows -------------------------------------------------------------------------


def plan_fields(doc: planfile.PlanDoc) -> dict[str, Any]:
    meta = doc.plan
    return {
        "version": meta.version,
        **_pair("title", meta.title),
        **_pair("issuer", meta.issuer),
        **_pair("region", meta.region),
        "period_start": meta.period_start,
        "period_end": meta.period_end,
        **_pair("preamble", doc.preamble),
        **_pair("principles", doc.principles),
        **_pair("overall_goal", doc.overall_goal),
        **_pair("source", meta.source),
    }


def goal_area_fields(area: planfile.GoalArea) -> dict[str, Any]:
    return {"number": area.number, **_pair("title", area.title), **_pair("text", area.text)}


def indicator_fields(ind: planfile.Indicator, order: int) -> dict[str, Any]:
    t = ind.target
    return {
        "order": order,
        **_pair("name", ind.name),
        **_pair("unit", ind.unit),
        "direction": ind.direction.value,
        "kind": ind.kind,
        "baseline_value": ind.baseline.value if ind.baseline else None,
        "baseline_year": ind.baseline.year if ind.baseline else None,
        **_pair("baseline_source", ind.baseline_source),
        "target_year": t.year,
        "target_value": t.value,
        "target_lower": t.lower,
        "target_upper": t.upper,
        "target_qualifier": t.qualifier.value,
        "target_sustained": t.sustained,
        **_pair("target_phrase", ind.target_phrase),
        "quote": ind.quote,
        **_pair("definition", ind.definition),
        **_pair("data_source", ind.data_source),
    }


def milestone_fields(ms: planfile.Milestone, order: int) -> dict[str, Any]:
    return {"order": order, **_pair("text", ms.text), "due": ms.due}


def observation_fields(obs: eproj.Observation) -> dict[str, Any]:
    """Fields of an ``Observation`` row for an engine observation (e.g. a computed one)."""
    period = obs.period
    return {
        "period_year": obs.year,
        "period_date": period if isinstance(period, dt.date) else None,
        "value": obs.value,
        "qualifier": obs.qualifier.value,
        "lower": obs.lower,
        "upper": obs.upper,
        "source_kind": obs.source_kind.value,
        "source": obs.source,
    }


# --- rows → engine -------------------------------------------------------------------------


def indicator_spec(row: models.Indicator) -> eproj.IndicatorSpec:
    baseline = (
        Baseline(value=row.baseline_value, year=row.baseline_year)
        if row.baseline_value is not None and row.baseline_year is not None
        else None
    )
    if row.target_year is None:
        raise ValueError(f"indicator {row.code} has no target (see Indicator.has_target)")
    return eproj.IndicatorSpec(
        code=row.code,
        direction=Direction(row.direction),
        target=Target(
            year=row.target_year,
            qualifier=Qualifier(row.target_qualifier),
            value=row.target_value,
            lower=row.target_lower,
            upper=row.target_upper,
            sustained=row.target_sustained,
        ),
        baseline=baseline,
        period_start=row.plan.period_start,
        unit_zh=row.unit_zh,
        unit_en=row.unit_en,
    )


def observation(row: models.Observation) -> eproj.Observation:
    return eproj.Observation(
        period=row.period_date or row.period_year,
        value=row.value,
        qualifier=Qualifier(row.qualifier),
        lower=row.lower,
        upper=row.upper,
        source_kind=eproj.SourceKind(row.source_kind),
        source=row.source,
    )


def engine_observation(
    *,
    period_year: int,
    value: float | None,
    qualifier: str,
    lower: float | None = None,
    upper: float | None = None,
) -> eproj.Observation:
    """Build (and so validate) an engine observation; raises ``ValueError`` when inconsistent."""
    return eproj.Observation(
        period=period_year, value=value, qualifier=Qualifier(qualifier), lower=lower, upper=upper
    )


def work_plan_item(row: models.WorkPlanItem) -> escore.WorkPlanItem:
    return escore.WorkPlanItem(
        code=row.code,
        owner_unit=row.owner_unit.code,
        deadline=row.deadline,
        status=escore.ItemStatus(row.status),
        completed_on=row.completed_on,
        task=row.task.number,
    )


def assignment(row: models.Assignment) -> escore.Assignment:
    return escore.Assignment(unit=row.unit.code, task=row.task.number, role=escore.Role(row.role))


_REVIEW = {
    models.ProgressReport.Status.ACCEPTED: escore.ReportReview.ACCEPTED,
    models.ProgressReport.Status.RETURNED: escore.ReportReview.RETURNED,
}


def report_submission(row: models.ProgressReport) -> escore.ReportSubmission:
    return escore.ReportSubmission(
        unit=row.unit.code,
        period=row.period,
        due_on=row.due_on,
        submitted_on=row.submitted_on,
        review=_REVIEW.get(row.status, escore.ReportReview.PENDING),  # type: ignore[call-overload]
    )


def commitment_for_item(row: models.WorkPlanItem) -> Commitment:
    done = row.status == models.WorkPlanItem.Status.DONE
    return Commitment(
        code=row.code, due=row.deadline, completed_on=row.completed_on if done else None
    )


def commitment_for_milestone(row: models.Milestone) -> Commitment:
    return Commitment(code=row.code, due=row.due, completed_on=row.completed_on)


def work_plan_items(rows: Iterable[models.WorkPlanItem]) -> list[escore.WorkPlanItem]:
    return [work_plan_item(r) for r in rows]
