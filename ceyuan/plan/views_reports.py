"""Progress-report pages: list, create, edit and submit (unit officers), review (coordinators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ceyuan.core.forms import add_service_errors

from . import access, permissions, reports, selectors
from .forms import ReportCreateForm, ReportEditForm, ReviewForm
from .models import ProgressReport, WorkPlanItem
from .views import _plan_or_404


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    plan = _plan_or_404()
    units = selectors.units_for_reporting(request.user)
    form = ReportCreateForm(request.POST or None, user=request.user) if units.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                report = reports.report_create(actor=request.user, plan=plan, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The draft report has been created."))
                return redirect("plan-report", report_id=report.pk)
    return render(
        request,
        "plan/reports.html",
        {"plan": plan, "reports": selectors.reports_visible(request.user, plan), "form": form},
    )


def _value_rows(report: ProgressReport, form: ReportEditForm) -> list | None:  # type: ignore[type-arg]
    """The report's figures after this edit: the held ones, with the new one added or replaced."""
    data = form.cleaned_data
    if not data.get("value_indicator"):
        return None
    held = [
        {
            "indicator": v.indicator,
            "period_year": v.period_year,
            "value": v.value,
            "qualifier": v.qualifier,
            "lower": v.lower,
            "upper": v.upper,
            "source": v.source,
        }
        for v in report.values.select_related("indicator", "indicator__plan")
    ]
    new = {
        "indicator": data["value_indicator"],
        "period_year": data.get("value_year") or int(report.period[:4]),
        "value": data.get("value"),
        "qualifier": data.get("value_qualifier") or "exact",
        "lower": data.get("value_lower"),
        "upper": data.get("value_upper"),
        "source": data.get("value_source", ""),
    }
    key = (data["value_indicator"].pk, new["period_year"])
    held = [h for h in held if (h["indicator"].pk, h["period_year"]) != key]  # type: ignore[union-attr]
    return [*held, new]


def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.access_report(request.user, report_id)
    can_edit = permissions.can_edit_report(request.user, report)
    form = None
    if can_edit:
        form = ReportEditForm(
            request.POST or None,
            request.FILES or None,
            plan=report.plan,
            initial={"narrative": report.narrative, "value_year": report.period[:4]},
        )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            items = {}
            for row in report.item_statuses.all():
                status = request.POST.get(f"item-{row.item_id}-status")
                if status:
                    done_on = request.POST.get(f"item-{row.item_id}-completed_on") or None
                    items[row.item_id] = {
                        "status": status,
                        "completed_on": _parse_date(done_on),
                        "note": request.POST.get(f"item-{row.item_id}-note", row.note),
                    }
            try:
                reports.report_update(
                    actor=request.user,
                    report=report,
                    narrative=form.cleaned_data["narrative"],
                    item_statuses=items,
                    values=_value_rows(report, form),
                )
                if form.cleaned_data.get("attachment"):
                    reports.report_attach(
                        actor=request.user, report=report, file=form.cleaned_data["attachment"]
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The report has been saved."))
                return redirect("plan-report", report_id=report.pk)
    return render(
        request,
        "plan/report.html",
        {
            "report": report,
            "form": form,
            "can_edit": can_edit,
            "can_review": permissions.can_review_report(request.user)
            and report.status == ProgressReport.Status.SUBMITTED,
            "review_form": ReviewForm(),
            "item_statuses": report.item_statuses.select_related("item", "item__task"),
            "status_choices": WorkPlanItem.Status.choices,
            "values": report.values.select_related("indicator"),
            "attachments": report.attachments.all(),
            "events": report.events.select_related("actor"),
        },
    )


def _parse_date(raw: str | None):  # type: ignore[no-untyped-def]
    import datetime as dt

    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({"completed_on": _("Write dates as YYYY-MM-DD.")}) from exc


@login_required
@require_POST
def report_submit(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.access_report_for_edit(request.user, report_id)
    try:
        reports.report_submit(actor=request.user, report=report)
        messages.success(request, _("The report has been submitted for review."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("plan-report", report_id=report.pk)


@login_required
@require_POST
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.access_report_for_review(request.user, report_id)
    form = ReviewForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if request.POST.get("decision") == "accept":
            reports.report_accept(actor=request.user, report=report, comment=comment)
            messages.success(request, _("The report has been accepted."))
        else:
            reports.report_return(actor=request.user, report=report, comment=comment)
            messages.success(request, _("The report has been returned to the unit."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("plan-report", report_id=report.pk)


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not permissions.can_review_report(request.user):
        raise PermissionDenied
    plan = _plan_or_404()
    return render(
        request, "plan/review.html", {"plan": plan, "reports": selectors.reports_to_review(plan)}
    )


def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = access.access_attachment(request.user, attachment_id)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
