"""Progress reports of the units that carry tasks: draft → submitted → returned with a comment
→ resubmitted → accepted. Figures become observations only on acceptance.

Every function checks permission, validates, writes inside one transaction and records an audit
entry in that same transaction (see ``services``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ceyuan.accounts.models import Organisation
from ceyuan.audit.services import audit_record, change, diff
from ceyuan.plan.engine.workdays import add_working_days

from . import permissions
from .models import (
    Plan,
    ProgressReport,
    ReportAttachment,
    ReportEvent,
    ReportItemStatus,
    ReportValue,
    WorkPlanItem,
)
from .services import (
    PERIOD_RE,
    REPORT_DUE_WORKING_DAYS,
    _check_upload,
    _item_state,
    _require,
    _today,
    observation_check,
    observation_create,
)


def report_due_on(period: str) -> dt.date:
    """A report is due ten working days after its period ends."""
    match = PERIOD_RE.match(period)
    if match is None:
        raise ValidationError({"period": _("Write the period as 2024, 2024-H1 or 2024-Q3.")})
    year, part = int(match["year"]), match["part"]
    end_month = {None: 12, "H1": 6, "H2": 12, "Q1": 3, "Q2": 6, "Q3": 9, "Q4": 12}[part]
    next_month = dt.date(year + (end_month == 12), end_month % 12 + 1, 1)
    return add_working_days(next_month - dt.timedelta(days=1), REPORT_DUE_WORKING_DAYS)


def report_create(
    *, actor: Any, plan: Plan, unit: Organisation, period: str, narrative: str = ""
) -> ProgressReport:
    """Start a draft report for ``unit``; it lists the unit's work-plan items of that year."""
    _require(
        permissions.can_act_for_unit(actor, unit.pk),
        _("You can write reports only for your own unit."),
    )
    due_on = report_due_on(period)
    year = int(period[:4])
    if not (plan.period_start <= year <= plan.period_end):
        raise ValidationError({"period": _("The period lies outside the plan period.")})
    if ProgressReport.objects.filter(plan=plan, unit=unit, period=period).exists():
        raise ValidationError({"period": _("This unit already has a report for this period.")})
    with transaction.atomic():
        report = ProgressReport.objects.create(
            plan=plan,
            unit=unit,
            period=period,
            due_on=due_on,
            narrative=narrative.strip(),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        for item in WorkPlanItem.objects.filter(plan=plan, owner_unit=unit, year=year):
            ReportItemStatus.objects.create(
                report=report, item=item, status=item.status, completed_on=item.completed_on
            )
        audit_record(
            actor=actor,
            action="plan.report.create",
            target=report,
            changes={"unit": unit.code, "period": period},
        )
    return report


def report_update(
    *,
    actor: Any,
    report: ProgressReport,
    narrative: str | None = None,
    item_statuses: dict[int, dict[str, Any]] | None = None,
    values: list[dict[str, Any]] | None = None,
) -> ProgressReport:
    """Edit a draft or returned report: narrative, per-item status, indicator figures.

    ``item_statuses`` maps work-plan item ids to ``{status, completed_on, note}``; ``values``
    are figures ``{indicator, period_year, value, qualifier, lower, upper, source}`` that
    replace those held (they become observations when the report is accepted).
    """
    _require(permissions.can_edit_report(actor, report), _("You cannot edit this report."))
    errors: dict[str, Any] = {}
    rows = {r.item_id: r for r in report.item_statuses.select_related("item")}
    for item_id, wanted in (item_statuses or {}).items():
        row = rows.get(int(item_id))
        if row is None:
            errors[f"items.{item_id}"] = _("This item is not part of the report.")
            continue
        status = wanted.get("status", row.status)
        completed_on = wanted.get("completed_on")
        if status not in WorkPlanItem.Status.values:
            errors[f"items.{item_id}"] = _("Unknown status.")
        elif status == WorkPlanItem.Status.DONE and completed_on is None:
            errors[f"items.{item_id}"] = _("A done item needs its completion date.")
        elif completed_on is not None and completed_on > _today():
            errors[f"items.{item_id}"] = _("The completion date cannot be in the future.")
    for n, value in enumerate(values or []):
        problems = observation_check(
            indicator=value["indicator"],
            period_year=value["period_year"],
            value=value.get("value"),
            qualifier=value.get("qualifier", "exact"),
            lower=value.get("lower"),
            upper=value.get("upper"),
        )
        if value["indicator"].plan_id != report.plan_id:
            problems["indicator"] = _("The indicator belongs to another plan.")
        for field, message in problems.items():
            errors[f"values.{n}.{field}"] = message
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        changes: dict[str, Any] = {}
        if narrative is not None and narrative.strip() != report.narrative:
            changes["narrative"] = change(report.narrative, narrative.strip())
            report.narrative = narrative.strip()
            report.save(update_fields=["narrative", "updated_at"])
        for item_id, wanted in (item_statuses or {}).items():
            row = rows[int(item_id)]
            row.status = wanted.get("status", row.status)
            row.completed_on = (
                wanted.get("completed_on") if row.status == WorkPlanItem.Status.DONE else None
            )
            row.note = wanted.get("note", row.note)
            row.save()
            changes[f"item.{row.item.code}"] = row.status
        if values is not None:
            report.values.all().delete()
            for value in values:
                ReportValue.objects.create(
                    report=report,
                    indicator=value["indicator"],
                    period_year=value["period_year"],
                    value=value.get("value"),
                    qualifier=value.get("qualifier", "exact"),
                    lower=value.get("lower"),
                    upper=value.get("upper"),
                    source=value.get("source", ""),
                )
            changes["values"] = [
                f"{v['indicator'].code}:{v['period_year']}={v.get('value')}" for v in values
            ]
        if changes:
            audit_record(actor=actor, action="plan.report.update", target=report, changes=changes)
    return report


def report_attach(*, actor: Any, report: ProgressReport, file: UploadedFile) -> ReportAttachment:
    _require(permissions.can_edit_report(actor, report), _("You cannot edit this report."))
    _check_upload(file, "file")
    name = Path(file.name or "attachment").name[:200]
    with transaction.atomic():
        attachment = ReportAttachment.objects.create(
            report=report, file=file, name=name, uploaded_by=actor
        )
        audit_record(
            actor=actor, action="plan.report.attach", target=report, changes={"file": name}
        )
    return attachment


def _event(report: ProgressReport, actor: Any, action: str, comment: str = "") -> None:
    ReportEvent.objects.create(report=report, action=action, comment=comment, actor=actor)
    audit_record(
        actor=actor,
        action=f"plan.report.{action}",
        target=report,
        changes={"status": report.status, **({"comment": comment} if comment else {})},
    )


def report_submit(*, actor: Any, report: ProgressReport) -> ProgressReport:
    """Hand a draft (or a returned report, after changes) to the coordinators."""
    _require(permissions.can_edit_report(actor, report), _("You cannot submit this report."))
    if not report.narrative.strip():
        raise ValidationError({"narrative": _("Write what was done before submitting.")})
    with transaction.atomic():
        report.status = ProgressReport.Status.SUBMITTED
        report.submitted_on = _today()
        report.save(update_fields=["status", "submitted_on", "updated_at"])
        _event(report, actor, "submit")
    return report


def _require_submitted(report: ProgressReport) -> None:
    if report.status != ProgressReport.Status.SUBMITTED:
        raise ValidationError(
            {
                "status": _("Only a submitted report can be reviewed; this one is %(status)s.")
                % {"status": report.get_status_display()}
            }
        )


def report_return(*, actor: Any, report: ProgressReport, comment: str) -> ProgressReport:
    _require(permissions.can_review_report(actor), _("Only coordinators review reports."))
    _require_submitted(report)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what must be changed.")})
    with transaction.atomic():
        report.status = ProgressReport.Status.RETURNED
        report.review_comment = comment.strip()
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.save()
        _event(report, actor, "return", comment.strip())
    return report


def report_accept(*, actor: Any, report: ProgressReport, comment: str = "") -> ProgressReport:
    """Accept: the reported item statuses are applied to the work plan, and the reported
    figures become observations (entered, with the report as their source)."""
    _require(permissions.can_review_report(actor), _("Only coordinators review reports."))
    _require_submitted(report)
    with transaction.atomic():
        for row in report.item_statuses.select_related("item", "item__owner_unit", "item__task"):
            item = row.item
            if (item.status, item.completed_on) != (row.status, row.completed_on):
                before = _item_state(item)
                item.status = row.status
                item.completed_on = row.completed_on
                item.save(update_fields=["status", "completed_on", "updated_at"])
                audit_record(
                    actor=actor,
                    action="plan.work_item.update",
                    target=item,
                    changes={**diff(before, _item_state(item)), "report": report.pk},
                )
        for value in report.values.select_related("indicator", "indicator__plan"):
            observation_create(
                actor=actor,
                indicator=value.indicator,
                period_year=value.period_year,
                value=value.value,
                qualifier=value.qualifier,
                lower=value.lower,
                upper=value.upper,
                source=value.source
                or _("Progress report %(unit)s %(period)s")
                % {"unit": report.unit.name_zh, "period": report.period},
                report=report,
            )
        report.status = ProgressReport.Status.ACCEPTED
        report.review_comment = comment.strip()
        report.reviewed_by = actor
        report.reviewed_at = timezone.now()
        report.save()
        _event(report, actor, "accept", comment.strip())
    return report
