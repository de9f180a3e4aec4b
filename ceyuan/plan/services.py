"""The write path of the plan app: loading plans, assignments, work-plan items, observations and
risk flags (progress reports and their review: ``reports``).

Every function checks permission (``actor=None`` is the system: setup, tasks), validates,
writes inside one transaction and records an audit entry in that same transaction. Views, the
API, commands and tasks call these and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ceyuan.accounts.models import Organisation
from ceyuan.accounts.services import organisation_create
from ceyuan.audit.services import audit_record, change, diff
from ceyuan.plan.engine import planfile
from ceyuan.plan.engine.quantities import unit_floor

from . import adapters, permissions
from .models import (
    OBSERVATION_QUALIFIERS,
    Assignment,
    GoalArea,
    Indicator,
    Measure,
    Milestone,
    Observation,
    Plan,
    ProgressReport,
    RiskFlag,
    Safeguard,
    Task,
    TaskGroup,
    WorkPlanItem,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_PLAN = DATA_DIR / "beijing-ai-2023-2025.yaml"
SHIPPED_UNITS = DATA_DIR / "units.yaml"
MONITORING_INDICATORS = DATA_DIR / "monitoring-indicators.yaml"
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
REPORT_DUE_WORKING_DAYS = 10
PERIOD_RE = re.compile(r"^(?P<year>\d{4})(-(?P<part>Q[1-4]|H[12]))?$")


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _today() -> dt.date:
    return timezone.localdate()


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    plan: Plan
    outcome: str  # "created", "updated" or "unchanged"
    counts: dict[str, int]


def _upsert(model: Any, lookup: dict[str, Any], fields: dict[str, Any]) -> Any:
    obj, _created = model.objects.update_or_create(**lookup, defaults=fields)
    return obj


def plan_load(*, actor: Any, doc: planfile.PlanDoc) -> LoadResult:
    """Hold a validated plan document in the database.

    The same code and version again changes nothing; a newer version updates every text and
    target in place (rows are matched by code, so observations, assignments and work plans
    stay attached); an older version is refused.
    """
    if actor is not None:
        _require(permissions.can_manage_plan(actor), _("Only coordinators can load plans."))
    meta = doc.plan
    existing = Plan.objects.filter(code=meta.code).first()
    if existing is not None and existing.version == meta.version:
        monitoring_indicators_ensure(actor=actor, plan=existing)
        return LoadResult(existing, "unchanged", _counts(existing))
    if existing is not None and existing.version > meta.version:
        raise ValidationError(
            {
                "version": _(
                    "The database holds version %(held)s of this plan; version %(given)s is older."
                )
                % {"held": existing.version, "given": meta.version}
            }
        )
    with transaction.atomic():
        plan = _upsert(Plan, {"code": meta.code}, adapters.plan_fields(doc))
        indicators: dict[str, Indicator] = {}
        for area in doc.goal_areas:
            area_row = _upsert(
                GoalArea, {"plan": plan, "code": area.code}, adapters.goal_area_fields(area)
            )
            for order, ind in enumerate(area.indicators):
                indicators[ind.code] = _upsert(
                    Indicator,
                    {"plan": plan, "code": ind.code},
                    {"goal_area": area_row, **adapters.indicator_fields(ind, order)},
                )
            for order, ms in enumerate(area.milestones):
                _upsert(
                    Milestone,
                    {"plan": plan, "code": ms.code},
                    {"goal_area": area_row, **adapters.milestone_fields(ms, order)},
                )
        for group in doc.task_groups:
            group_row = _upsert(
                TaskGroup,
                {"plan": plan, "code": group.code},
                {"number": group.number, "title_zh": group.title.zh, "title_en": group.title.en},
            )
            for task in group.tasks:
                task_row = _upsert(
                    Task,
                    {"plan": plan, "code": task.code},
                    {
                        "group": group_row,
                        "number": task.number,
                        "title_zh": task.title.zh,
                        "title_en": task.title.en,
                    },
                )
                task_row.indicators.set([indicators[c] for c in task.indicators])
                _measures_set(task_row.measures, task.measures, {"task": task_row})
        for sg in doc.safeguards:
            sg_row = _upsert(
                Safeguard,
                {"plan": plan, "code": sg.code},
                {"number": sg.number, "title_zh": sg.title.zh, "title_en": sg.title.en},
            )
            _measures_set(sg_row.measures, sg.measures, {"safeguard": sg_row})
        monitoring_indicators_ensure(actor=actor, plan=plan)
        counts = _counts(plan)
        outcome = "created" if existing is None else "updated"
        audit_record(
            actor=actor,
            action=f"plan.load.{outcome}",
            target=plan,
            changes={
                "version": [existing.version if existing else None, meta.version],
                **counts,
            },
        )
    return LoadResult(plan, outcome, counts)


def _measures_set(manager: Any, measures: Any, parent: dict[str, Any]) -> None:
    numbers = []
    for m in measures:
        _upsert(
            Measure,
            {**parent, "number": m.number},
            {"text_zh": m.text.zh, "text_en": m.text.en},
        )
        numbers.append(m.number)
    manager.exclude(number__in=numbers).delete()


def monitoring_indicators_ensure(
    *, actor: Any, plan: Plan, path: Path = MONITORING_INDICATORS
) -> list[Indicator]:
    """Create the shipped monitoring indicators (no goal area, no target) missing from
    ``plan``; existing ones are left as they are, so this writes nothing the second time."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    created = []
    with transaction.atomic():
        for n, raw in enumerate(data["indicators"]):
            if Indicator.objects.filter(plan=plan, code=raw["code"]).exists():
                continue
            ind = Indicator.objects.create(
                plan=plan,
                goal_area=None,
                order=n,
                code=raw["code"],
                name_zh=raw["name"]["zh"],
                name_en=raw["name"]["en"],
                unit_zh=raw["unit"]["zh"],
                unit_en=raw["unit"]["en"],
                direction=raw["direction"],
                kind=raw["kind"],
                definition_zh=raw["definition"]["zh"],
                definition_en=raw["definition"]["en"],
            )
            audit_record(
                actor=actor, action="plan.indicator.create", target=ind, changes={"code": ind.code}
            )
            created.append(ind)
    return created


def _counts(plan: Plan) -> dict[str, int]:
    return {
        "goal_areas": plan.goal_areas.count(),
        "indicators": plan.indicators.filter(goal_area__isnull=False).count(),
        "milestones": plan.milestones.count(),
        "tasks": plan.tasks.count(),
        "safeguards": plan.safeguards.count(),
    }


def plan_load_file(*, actor: Any, path: str | Path) -> LoadResult:
    """Validate the file with the engine (raising ``PlanFileError`` listing every problem) and
    load it; nothing is written when the file is refused."""
    return plan_load(actor=actor, doc=planfile.load_plan(path))


def units_load(*, actor: Any = None, path: Path = SHIPPED_UNITS) -> list[Organisation]:
    """Create the shipped municipal units that do not exist yet (matched by code)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    created = []
    with transaction.atomic():
        for unit in data["units"]:
            if Organisation.objects.filter(code=unit["code"]).exists():
                continue
            created.append(
                organisation_create(
                    actor=actor,
                    code=unit["code"],
                    name_zh=unit["zh"],
                    name_en=unit.get("en", ""),
                    kind=unit["kind"],
                )
            )
    return created


# --- assignments ------------------------------------------------------------------------------


def assignment_set(*, actor: Any, task: Task, unit: Organisation, role: str) -> Assignment:
    """Make ``unit`` the lead or a cooperating unit of ``task`` (changing its role if held)."""
    _require(permissions.can_manage_plan(actor), _("Only coordinators assign units to tasks."))
    if role not in Assignment.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if not unit.is_active:
        raise ValidationError({"unit": _("This unit is not active.")})
    with transaction.atomic():
        row = Assignment.objects.filter(task=task, unit=unit).first()
        before = row.role if row else None
        if row is None:
            row = Assignment.objects.create(task=task, unit=unit, role=role)
        elif row.role != role:
            row.role = role
            row.save(update_fields=["role"])
        if before != role:
            audit_record(
                actor=actor,
                action="plan.assignment.set",
                target=row,
                changes={"task": task.number, "unit": unit.code, "role": change(before, role)},
            )
    return row


def assignment_remove(*, actor: Any, assignment: Assignment) -> None:
    _require(permissions.can_manage_plan(actor), _("Only coordinators assign units to tasks."))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="plan.assignment.remove",
            target=assignment,
            changes={
                "task": assignment.task.number,
                "unit": assignment.unit.code,
                "role": assignment.role,
            },
        )
        assignment.delete()


# --- work-plan items --------------------------------------------------------------------------

ITEM_FIELDS = ("code", "year", "milestone_text", "deadline", "status", "completed_on")


def milestone_set_completed(
    *, actor: Any, milestone: Milestone, completed_on: dt.date | None
) -> Milestone:
    """Mark a qualitative target met on ``completed_on`` (``None`` reopens it)."""
    _require(permissions.can_manage_plan(actor), _("Only coordinators can mark targets met."))
    if completed_on is not None and completed_on > _today():
        raise ValidationError({"completed_on": _("The completion date cannot be in the future.")})
    if milestone.completed_on == completed_on:
        return milestone
    before = milestone.completed_on
    with transaction.atomic():
        milestone.completed_on = completed_on
        milestone.save(update_fields=["completed_on"])
        audit_record(
            actor=actor,
            action="plan.milestone.complete" if completed_on else "plan.milestone.reopen",
            target=milestone,
            changes={
                "completed_on": [
                    str(before) if before else None,
                    str(completed_on) if completed_on else None,
                ]
            },
        )
    return milestone


def _item_state(item: WorkPlanItem) -> dict[str, Any]:
    state = {f: getattr(item, f) for f in ITEM_FIELDS}
    state["deadline"] = str(item.deadline)
    state["completed_on"] = str(item.completed_on) if item.completed_on else None
    state["owner_unit"] = item.owner_unit.code
    state["task"] = item.task.number
    return state


def work_plan_item_check(item: WorkPlanItem) -> None:
    errors: dict[str, str] = {}
    if item.status == WorkPlanItem.Status.DONE and item.completed_on is None:
        errors["completed_on"] = _("A done item needs its completion date.")
    if item.status != WorkPlanItem.Status.DONE and item.completed_on is not None:
        errors["completed_on"] = _("Only a done item has a completion date.")
    if item.completed_on is not None and item.completed_on > _today():
        errors["completed_on"] = _("The completion date cannot be in the future.")
    if not (item.plan.period_start <= item.year <= item.plan.period_end):
        errors["year"] = _("The year must lie within the plan period (%(start)s–%(end)s).") % {
            "start": item.plan.period_start,
            "end": item.plan.period_end,
        }
    if item.measure is not None and item.measure.task_id != item.task_id:
        errors["measure"] = _("The measure belongs to another task.")
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["plan", "task", "owner_unit", "measure"], validate_unique=False)
    clash = WorkPlanItem.objects.filter(plan=item.plan, code=item.code).exclude(pk=item.pk)
    if clash.exists():
        raise ValidationError({"code": _("Another work-plan item has this code.")})


def work_plan_item_create(
    *,
    actor: Any,
    task: Task,
    owner_unit: Organisation,
    code: str,
    year: int,
    milestone_text: str,
    deadline: dt.date,
    measure: Measure | None = None,
    status: str = WorkPlanItem.Status.PLANNED,
    completed_on: dt.date | None = None,
) -> WorkPlanItem:
    """Coordinators plan for any unit; a unit officer plans for their own unit."""
    _require(
        permissions.can_act_for_unit(actor, owner_unit.pk),
        _("You can plan work only for your own unit."),
    )
    item = WorkPlanItem(
        plan=task.plan,
        task=task,
        measure=measure,
        owner_unit=owner_unit,
        code=code,
        year=year,
        milestone_text=milestone_text.strip(),
        deadline=deadline,
        status=status,
        completed_on=completed_on,
    )
    work_plan_item_check(item)
    with transaction.atomic():
        item.save()
        audit_record(
            actor=actor,
            action="plan.work_item.create",
            target=item,
            changes=diff({}, _item_state(item)),
        )
    return item


def work_plan_item_update(*, actor: Any, item: WorkPlanItem, **fields: Any) -> WorkPlanItem:
    _require(permissions.can_edit_item(actor, item), _("You can edit only your unit's items."))
    unknown = set(fields) - {*ITEM_FIELDS, "measure"}
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    before = _item_state(item)
    for name, value in fields.items():
        setattr(item, name, value)
    if fields.get("status") and fields["status"] != WorkPlanItem.Status.DONE:
        item.completed_on = None
    work_plan_item_check(item)
    with transaction.atomic():
        item.save()
        changes = diff(before, _item_state(item))
        if changes:
            audit_record(actor=actor, action="plan.work_item.update", target=item, changes=changes)
    return item


# --- observations -----------------------------------------------------------------------------


def _check_upload(file: UploadedFile | None, field: str) -> None:
    if file is not None and file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ValidationError({field: _("The file is larger than 20 MB.")})


def observation_check(
    *,
    indicator: Indicator,
    period_year: int,
    value: float | None,
    qualifier: str,
    lower: float | None = None,
    upper: float | None = None,
) -> dict[str, str]:
    """Problems with one figure, by field (empty when it is acceptable)."""
    errors: dict[str, str] = {}
    plan = indicator.plan
    first = min(plan.period_start - 5, indicator.baseline_year or plan.period_start)
    if not (first <= period_year <= plan.period_end + 5):
        errors["period_year"] = _("The year must lie between %(first)s and %(last)s.") % {
            "first": first,
            "last": plan.period_end + 5,
        }
    if qualifier not in {value for value, _label in OBSERVATION_QUALIFIERS}:
        errors["qualifier"] = _("Unknown qualifier.")
        return errors
    if qualifier == "range":
        if lower is None or upper is None:
            errors["lower"] = _("A range needs both a lower and an upper bound.")
    elif value is None:
        errors["value"] = _("Give a value.")
    floor = unit_floor(indicator.unit_zh)
    for name, figure in (("value", value), ("lower", lower), ("upper", upper)):
        if floor is not None and figure is not None and figure < floor and name not in errors:
            errors[name] = _("A figure in %(unit)s cannot be below %(floor)s.") % {
                "unit": indicator.unit,
                "floor": f"{floor:g}",
            }
    if not errors:
        try:
            adapters.engine_observation(
                period_year=period_year, value=value, qualifier=qualifier, lower=lower, upper=upper
            )
        except ValueError as exc:
            errors["value"] = _("The figure is inconsistent: %(problem)s") % {"problem": exc}
    return errors


def observation_create(
    *,
    actor: Any,
    indicator: Indicator,
    period_year: int,
    value: float | None,
    qualifier: str = "exact",
    lower: float | None = None,
    upper: float | None = None,
    source: str = "",
    evidence: UploadedFile | None = None,
    report: ProgressReport | None = None,
) -> Observation:
    """Record an entered figure. Officers may enter figures for indicators their tasks feed."""
    if report is None:
        _require(
            permissions.can_enter_observation(actor, indicator),
            _("You cannot enter figures for this indicator."),
        )
    else:  # a figure carried by a report becomes an observation when the report is accepted
        _require(
            permissions.can_review_report(actor)
            and report.status == ProgressReport.Status.SUBMITTED,
            _("Only a reviewer accepting a submitted report records its figures."),
        )
    errors = observation_check(
        indicator=indicator,
        period_year=period_year,
        value=value,
        qualifier=qualifier,
        lower=lower,
        upper=upper,
    )
    if errors:
        raise ValidationError(errors)
    _check_upload(evidence, "evidence")
    obs = Observation(
        indicator=indicator,
        period_year=period_year,
        value=value,
        qualifier=qualifier,
        lower=lower,
        upper=upper,
        source=source.strip(),
        source_kind=Observation.SourceKind.ENTERED,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
        report=report,
    )
    if evidence is not None:
        obs.evidence = evidence
    with transaction.atomic():
        obs.save()
        audit_record(
            actor=actor,
            action="plan.observation.create",
            target=obs,
            changes={
                "indicator": indicator.code,
                "period_year": period_year,
                "value": value,
                "qualifier": qualifier,
                "lower": lower,
                "upper": upper,
                "report": report.pk if report else None,
            },
        )
    return obs


def observation_record_computed(
    *, indicator: Indicator, computed: Any, provider: str
) -> Observation | None:
    """Store a live provider's figure (system actor): one observation per provider and period
    (a date, or a year for a yearly figure). A new figure for the period of the provider's
    latest one replaces it (the audit trail keeps the old value); the same figure again stores
    nothing. Returns the observation stored, if any."""
    fields = adapters.observation_fields(computed)
    latest = (
        Observation.objects.filter(
            indicator=indicator, source_kind=Observation.SourceKind.COMPUTED, computed_from=provider
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    same_period = latest is not None and (latest.period_year, latest.period_date) == (
        fields["period_year"],
        fields["period_date"],
    )
    if same_period and all(getattr(latest, name) == value for name, value in fields.items()):
        return None
    changes: dict[str, Any]
    with transaction.atomic():
        if same_period and latest is not None:
            obs, old = latest, latest.value
            for name, value in fields.items():
                setattr(obs, name, value)
            obs.save()
            changes = {
                "indicator": indicator.code,
                "value": change(old, obs.value),
                "provider": provider,
            }
        else:
            obs = Observation(indicator=indicator, computed_from=provider, **fields)
            obs.save()
            changes = {"indicator": indicator.code, "value": obs.value, "provider": provider}
        audit_record(actor=None, action="plan.observation.compute", target=obs, changes=changes)
    return obs


# --- risk flags -------------------------------------------------------------------------------


def risk_flag_raise(
    *,
    actor: Any,
    plan: Plan,
    level: str,
    description: str,
    task: Task | None = None,
    indicator: Indicator | None = None,
    unit: Organisation | None = None,
) -> RiskFlag:
    _require(permissions.can_raise_risk(actor), _("You cannot raise risk flags."))
    if unit is not None and not permissions.can_act_for_unit(actor, unit.pk):
        raise PermissionDenied(_("You can raise flags only for your own unit."))
    if level not in RiskFlag.Level.values:
        raise ValidationError({"level": _("Unknown level.")})
    if not description.strip():
        raise ValidationError({"description": _("Describe the risk.")})
    with transaction.atomic():
        flag = RiskFlag.objects.create(
            plan=plan,
            level=level,
            description=description.strip(),
            task=task,
            indicator=indicator,
            unit=unit,
            raised_by=actor,
        )
        audit_record(
            actor=actor,
            action="plan.risk.raise",
            target=flag,
            changes={"level": level, "task": task.number if task else None},
        )
    return flag


def risk_flag_resolve(*, actor: Any, flag: RiskFlag) -> RiskFlag:
    _require(permissions.can_manage_plan(actor), _("Only coordinators resolve risk flags."))
    if flag.resolved_at is None:
        with transaction.atomic():
            flag.resolved_at = timezone.now()
            flag.save(update_fields=["resolved_at"])
            audit_record(actor=actor, action="plan.risk.resolve", target=flag)
    return flag
