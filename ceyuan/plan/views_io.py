"""Import of observations and work-plan items (CSV, Excel), export of plan status (Excel), and
the annual report (PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import exports, imports, permissions
from .views import _plan_or_404


@login_required
def import_sheet(request: HttpRequest) -> HttpResponse:
    from .forms import ImportForm

    if not permissions.can_manage_plan(request.user):
        raise PermissionDenied
    plan = _plan_or_404()
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[imports.RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = imports.read_sheet(upload.name, upload.read())
            importer = (
                imports.observations_import
                if form.cleaned_data["kind"] == "observations"
                else imports.work_plan_items_import
            )
            count = importer(actor=request.user, plan=plan, rows=rows)
        except imports.ImportRefused as refused:
            errors = refused.errors
        else:
            messages.success(request, _("%(count)s row(s) imported.") % {"count": count})
            return redirect("plan-import")
    return render(request, "plan/import.html", {"form": form, "errors": errors})


def export_status(request: HttpRequest) -> HttpResponse:
    plan = _plan_or_404()
    data = exports.status_workbook(plan, timezone.localdate())
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{plan.code}-status.xlsx"'
    return response


def annual_report(request: HttpRequest, year: int) -> HttpResponse:
    from . import annual_report as pdf

    plan = _plan_or_404()
    if not plan.period_start <= year <= plan.period_end:
        raise Http404
    lang = "en" if request.GET.get("lang") == "en" else "zh"
    try:
        data = pdf.annual_report_pdf(plan, year=year, lang=lang, today=timezone.localdate())
    except pdf.AnnualReportError as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{plan.code}-{year}-{lang}.pdf"'
    return response
