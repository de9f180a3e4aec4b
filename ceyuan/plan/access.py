"""Permission-checked fetches by id: the only way views and the API load plan objects.

The plan and its indicators are public; reports that are not accepted are visible to their
unit and to coordinators only (others get 404, so they cannot learn that a draft exists).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from . import permissions
from .models import (
    Assignment,
    Indicator,
    Milestone,
    Observation,
    Plan,
    ProgressReport,
    ReportAttachment,
    RiskFlag,
    Task,
    WorkPlanItem,
)


def _get(queryset: Any, pk: int | str) -> Any:
    try:
        obj = queryset.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise Http404
    return obj


def access_plan(user: Any, plan_id: int | str) -> Plan:
    return _get(Plan.objects.all(), plan_id)  # type: ignore[no-any-return]


def access_indicator(user: Any, indicator_id: int | str) -> Indicator:
    return _get(Indicator.objects.select_related("plan", "goal_area"), indicator_id)  # type: ignore[no-any-return]


def access_observation(user: Any, observation_id: int | str) -> Observation:
    return _get(Observation.objects.select_related("indicator"), observation_id)  # type: ignore[no-any-return]


def access_task(user: Any, task_id: int | str) -> Task:
    return _get(Task.objects.select_related("plan", "group"), task_id)  # type: ignore[no-any-return]


def access_milestone(user: Any, milestone_id: int | str) -> Milestone:
    return _get(Milestone.objects.select_related("plan"), milestone_id)  # type: ignore[no-any-return]


def access_assignment_for_edit(user: Any, assignment_id: int | str) -> Assignment:
    assignment: Assignment = _get(Assignment.objects.select_related("task", "unit"), assignment_id)
    if not permissions.can_manage_plan(user):
        raise PermissionDenied
    return assignment


def access_work_plan_item(user: Any, item_id: int | str) -> WorkPlanItem:
    return _get(  # type: ignore[no-any-return]
        WorkPlanItem.objects.select_related("plan", "task", "owner_unit"), item_id
    )


def access_work_plan_item_for_edit(user: Any, item_id: int | str) -> WorkPlanItem:
    item = access_work_plan_item(user, item_id)
    if not permissions.can_edit_item(user, item):
        raise PermissionDenied
    return item


def access_report(user: Any, report_id: int | str) -> ProgressReport:
    report: ProgressReport = _get(
        ProgressReport.objects.select_related("plan", "unit", "reviewed_by"), report_id
    )
    if not permissions.can_view_report(user, report):
        raise Http404
    return report


def access_report_for_edit(user: Any, report_id: int | str) -> ProgressReport:
    report = access_report(user, report_id)
    if not permissions.can_edit_report(user, report):
        raise PermissionDenied
    return report


def access_report_for_review(user: Any, report_id: int | str) -> ProgressReport:
    report = access_report(user, report_id)
    if not permissions.can_review_report(user):
        raise PermissionDenied
    return report


def access_attachment(user: Any, attachment_id: int | str) -> ReportAttachment:
    attachment: ReportAttachment = _get(
        ReportAttachment.objects.select_related("report"), attachment_id
    )
    if not permissions.can_view_report(user, attachment.report):
        raise Http404
    return attachment


def access_risk_flag_for_edit(user: Any, flag_id: int | str) -> RiskFlag:
    flag: RiskFlag = _get(RiskFlag.objects.all(), flag_id)
    if not permissions.can_manage_plan(user):
        raise PermissionDenied
    return flag
