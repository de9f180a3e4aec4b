"""Plan pages: overview, indicators, tasks, units, timeline. Thin: read through selectors and
access, write through services. Reports and review are in ``views_reports``, import and export
in ``views_io``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ceyuan.accounts.access import access_organisation
from ceyuan.core.forms import add_service_errors

from . import access, charts, permissions, selectors, services
from .forms import (
    AssignmentForm,
    ItemStatusForm,
    MilestoneCompleteForm,
    ObservationForm,
    RiskFlagForm,
    WorkPlanItemForm,
)
from .models import Plan, Task, WorkPlanItem


def _plan_or_404() -> Plan:
    plan = selectors.current_plan()
    if plan is None:
        raise Http404
    return plan


def overview(request: HttpRequest) -> HttpResponse:
    plan = _plan_or_404()
    today = timezone.localdate()
    views = selectors.indicator_views(plan, today)
    by_area: dict[int, list[Any]] = {}
    monitoring = []
    for v in views:
        v.spark = charts.sparkline(v)  # type: ignore[attr-defined]
        if v.indicator.goal_area_id is None:
            monitoring.append(v)
        else:
            by_area.setdefault(v.indicator.goal_area_id, []).append(v)
    areas = [
        (area, by_area.get(area.pk, []), list(area.milestones.all()))
        for area in plan.goal_areas.all()
    ]
    return render(
        request,
        "plan/overview.html",
        {
            "plan": plan,
            "areas": areas,
            "monitoring": monitoring,
            "counts": selectors.status_counts(views),
            "status_labels": selectors.STATUS_LABELS,
            "groups": plan.task_groups.prefetch_related("tasks__assignments__unit"),
            "safeguards": plan.safeguards.prefetch_related("measures"),
            "risks": selectors.risk_flags_open(plan),
            "can_manage": permissions.can_manage_plan(request.user),
        },
    )


def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = access.access_indicator(request.user, indicator_id)
    can_enter = permissions.can_enter_observation(request.user, indicator)
    form = ObservationForm(request.POST or None, request.FILES or None) if can_enter else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.observation_create(
                    actor=request.user, indicator=indicator, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The figure has been recorded."))
                return redirect("plan-indicator", indicator_id=indicator.pk)
    view = selectors.indicator_view(indicator, timezone.localdate())
    from .live import sources_for

    return render(
        request,
        "plan/indicator.html",
        {
            "indicator": indicator,
            "view": view,
            "chart": charts.indicator_chart(view),
            "form": form,
            "live_sources": sources_for(indicator.code),
            "tasks": indicator.tasks.all(),
        },
    )


def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access.access_task(request.user, task_id)
    user = request.user
    can_manage = permissions.can_manage_plan(user)
    can_plan = can_manage or bool(permissions.officer_unit_ids(user))
    items = task.work_plan_items.select_related("owner_unit").order_by("deadline", "code")
    today = timezone.localdate()
    unit_ids = task.assignments.values_list("unit_id", flat=True)
    reports = selectors.reports_visible(user, task.plan).filter(unit_id__in=unit_ids)
    return render(
        request,
        "plan/task.html",
        {
            "task": task,
            "assignments": task.assignments.select_related("unit"),
            "item_rows": [
                (item, state, permissions.can_edit_item(user, item))
                for item, state in selectors.item_states(items, today)
            ],
            "reports": reports,
            "indicators": task.indicators.all(),
            "risks": task.risk_flags.filter(resolved_at__isnull=True),
            "can_manage": can_manage,
            "assignment_form": AssignmentForm() if can_manage else None,
            "item_form": WorkPlanItemForm(task=task, user=user, initial={"year": today.year})
            if can_plan
            else None,
            "risk_form": RiskFlagForm() if permissions.can_raise_risk(user) else None,
        },
    )


@login_required
@require_POST
def assignment_set(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access.access_task(request.user, task_id)
    if not permissions.can_manage_plan(request.user):
        raise PermissionDenied
    form = AssignmentForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_set(actor=request.user, task=task, **form.cleaned_data)
            messages.success(request, _("The assignment has been saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Choose a unit and a role."))
    return redirect("plan-task", task_id=task.pk)


@login_required
@require_POST
def assignment_remove(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = access.access_assignment_for_edit(request.user, assignment_id)
    task_id = assignment.task_id
    services.assignment_remove(actor=request.user, assignment=assignment)
    messages.success(request, _("The assignment has been removed."))
    return redirect("plan-task", task_id=task_id)


@login_required
@require_POST
def item_create(request: HttpRequest, task_id: int) -> HttpResponse:
    task: Task = access.access_task(request.user, task_id)
    form = WorkPlanItemForm(request.POST, task=task, user=request.user)
    if form.is_valid():
        try:
            services.work_plan_item_create(actor=request.user, task=task, **form.cleaned_data)
            messages.success(request, _("The work-plan item has been added."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(map(str, errors))}")
    return redirect("plan-task", task_id=task.pk)


@login_required
@require_POST
def item_status(request: HttpRequest, item_id: int) -> HttpResponse:
    """Change an item's status; answers htmx with the updated row."""
    item: WorkPlanItem = access.access_work_plan_item_for_edit(request.user, item_id)
    form = ItemStatusForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.work_plan_item_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
            item.refresh_from_db()
    else:
        error = _("Choose a status.")
    if request.htmx:  # type: ignore[attr-defined]
        state = selectors.item_states([item], timezone.localdate())[0][1]
        return render(
            request,
            "plan/_item_row.html",
            # on an error the row keeps what was chosen, beside the message
            {
                "item": item,
                "state": state,
                "can_edit": True,
                "error": error,
                "posted": request.POST if error else None,
            },
        )
    if error:
        messages.error(request, error)
    return redirect("plan-task", task_id=item.task_id)


@login_required
@require_POST
def risk_raise(request: HttpRequest, task_id: int) -> HttpResponse:
    task = access.access_task(request.user, task_id)
    form = RiskFlagForm(request.POST)
    if form.is_valid():
        try:
            services.risk_flag_raise(
                actor=request.user, plan=task.plan, task=task, **form.cleaned_data
            )
            messages.success(request, _("The risk has been flagged."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("plan-task", task_id=task.pk)


@login_required
@require_POST
def risk_resolve(request: HttpRequest, flag_id: int) -> HttpResponse:
    flag = access.access_risk_flag_for_edit(request.user, flag_id)
    services.risk_flag_resolve(actor=request.user, flag=flag)
    messages.success(request, _("The risk flag has been resolved."))
    return (
        redirect("plan-task", task_id=flag.task_id) if flag.task_id else redirect("plan-overview")
    )


def unit_list(request: HttpRequest) -> HttpResponse:
    plan = _plan_or_404()
    cards = selectors.scorecards(plan, timezone.localdate())
    units = [(u, cards.get(u.code)) for u in selectors.plan_units(plan)]
    return render(request, "plan/units.html", {"plan": plan, "units": units})


def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    plan = _plan_or_404()
    unit = access_organisation(request.user, unit_id)
    today = timezone.localdate()
    items = WorkPlanItem.objects.filter(plan=plan, owner_unit=unit).select_related("task")
    rows = selectors.item_states(items, today)
    return render(
        request,
        "plan/unit.html",
        {
            "plan": plan,
            "unit": unit,
            "assignments": unit.plan_assignments.filter(task__plan=plan).select_related("task"),
            "item_rows": [(i, s, permissions.can_edit_item(request.user, i)) for i, s in rows],
            "overdue": [(i, s) for i, s in rows if s.state.value == "overdue"],
            "card": selectors.scorecards(plan, today).get(unit.code),
            "reports": selectors.reports_visible(request.user, plan).filter(unit=unit),
        },
    )


def timeline(request: HttpRequest) -> HttpResponse:
    plan = _plan_or_404()
    entries = selectors.timeline(plan, timezone.localdate())
    state = request.GET.get("state", "")
    if state:
        entries = [e for e in entries if e.state.state.value == state]
    template = "plan/_timeline_rows.html" if request.htmx else "plan/timeline.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {"plan": plan, "entries": entries, "state": state, "states": selectors.MILESTONE_LABELS},
    )


@login_required
@require_POST
def milestone_complete(request: HttpRequest, milestone_id: int) -> HttpResponse:
    """Mark a qualitative target met (or reopen it); coordinators only."""
    milestone = access.access_milestone(request.user, milestone_id)
    form = MilestoneCompleteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(map(str, errors)))
    else:
        try:
            services.milestone_set_completed(
                actor=request.user,
                milestone=milestone,
                completed_on=form.cleaned_data["completed_on"],
            )
            messages.success(request, _("The qualitative target has been updated."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect(f"{reverse('plan-overview')}#area-{milestone.goal_area.code}")
