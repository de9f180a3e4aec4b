"""Audit trail page (filter by user, object, time) and CSV export, for coordinators."""

from __future__ import annotations

import csv
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from ceyuan.accounts.permissions import can_view_audit

from .forms import AuditFilterForm
from .models import AuditEntry
from .selectors import audit_entries, audit_filter_choices


class _Echo:
    def write(self, value: str) -> str:
        return value


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEntry] | None]:
    """The filter form and the entries it selects, or None when the filter is invalid."""
    if not can_view_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, audit_entries(**form.cleaned_data)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page")) if entries is not None else None
    template = "audit/_table.html" if request.htmx else "audit/list.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "choices": audit_filter_choices(),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def audit_export(request: HttpRequest) -> HttpResponseBase:
    form, entries = _filtered(request)
    if entries is None:
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    writer = csv.writer(_Echo())
    header = [
        "seq",
        "time",
        "user",
        "action",
        "object_type",
        "object_id",
        "object",
        "changes",
        "hash",
    ]

    def rows():  # type: ignore[no-untyped-def]
        yield "\ufeff" + writer.writerow(header)  # BOM so Excel opens Chinese text correctly
        for e in entries.iterator(2000):
            yield writer.writerow(
                [
                    e.seq,
                    timezone.localtime(e.created_at).isoformat(),
                    e.actor_repr,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.object_repr,
                    json.dumps(e.changes, ensure_ascii=False, default=str),
                    e.hash,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ceyuan-audit.csv"'
    return response
