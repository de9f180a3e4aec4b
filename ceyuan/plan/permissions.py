"""Who may do what in the plan app.

The plan, its indicators and their status are public. A unit officer acts for their own unit
(its work-plan items and progress reports); members of a unit read its reports; coordinators
(and administrators) see everything, assign units, and review reports. Anonymous visitors and
other units never see reports that are not accepted.
"""

from __future__ import annotations

from typing import Any

from ceyuan.accounts.models import Role
from ceyuan.accounts.permissions import is_coordinator, organisation_ids

from .models import Indicator, ProgressReport, WorkPlanItem


def officer_unit_ids(user: Any) -> set[int]:
    return organisation_ids(user, (Role.UNIT_OFFICER,))


def can_act_for_unit(user: Any, unit_id: int) -> bool:
    return is_coordinator(user) or unit_id in officer_unit_ids(user)


def can_manage_plan(user: Any) -> bool:
    """Load plans, assign units, create work-plan items for any unit, import sheets."""
    return is_coordinator(user)


def can_edit_item(user: Any, item: WorkPlanItem) -> bool:
    return can_act_for_unit(user, item.owner_unit_id)


def can_view_report(user: Any, report: ProgressReport) -> bool:
    if report.status == ProgressReport.Status.ACCEPTED:
        return True
    return is_coordinator(user) or report.unit_id in organisation_ids(user)


def can_edit_report(user: Any, report: ProgressReport) -> bool:
    editable = report.status in (ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED)
    return editable and can_act_for_unit(user, report.unit_id)


def can_review_report(user: Any) -> bool:
    return is_coordinator(user)


def can_enter_observation(user: Any, indicator: Indicator) -> bool:
    """Coordinators, and officers of a unit assigned to a task that feeds the indicator."""
    if is_coordinator(user):
        return True
    units = officer_unit_ids(user)
    if not units:
        return False
    return indicator.tasks.filter(assignments__unit_id__in=units).exists()


def can_raise_risk(user: Any) -> bool:
    return is_coordinator(user) or bool(officer_unit_ids(user))
