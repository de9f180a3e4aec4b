"""Safe publication pages: upload a table for privacy processing, read its report, approve;
release differentially private statistics from it under the dataset's privacy budget."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ceyuan.core.forms import add_service_errors

from . import access, dpstats, forms, permissions, releases
from .models import Release


@login_required
def release_create(request: HttpRequest, name: str) -> HttpResponse:
    dataset = access.access_dataset_for_edit(request.user, name)
    form = forms.ReleaseUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            release = releases.release_create(
                actor=request.user, dataset=dataset, content=upload.read(), filename=upload.name
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The table has been processed. Review it before publishing.")
            )
            return redirect("opendata:release", release_id=release.pk)
    return render(
        request,
        "opendata/form.html",
        {
            "form": form,
            "dataset": dataset,
            "title": _("Safe publication for “%(title)s”") % {"title": dataset.title},
            "multipart": True,
        },
    )


@login_required
def release_detail(request: HttpRequest, release_id: int) -> HttpResponse:
    release = access.access_release(request.user, release_id)
    can_review = permissions.can_review(request.user, release.dataset)
    form = forms.ReleaseReviewForm(request.POST or None)
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied
        if form.is_valid():
            decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
            try:
                if decision == "approve":
                    releases.release_approve(actor=request.user, release=release, note=note)
                    messages.success(request, _("The processed release has been published."))
                else:
                    releases.release_reject(actor=request.user, release=release, note=note)
                    messages.success(request, _("The release has been rejected."))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("opendata:release", release_id=release.pk)
    report = releases.release_report(release)
    preview = releases.release_preview(release)
    context: dict[str, Any] = {
        "release": release,
        "dataset": release.dataset,
        "report": report,
        "preview_columns": list(preview.columns),
        "preview_rows": preview.values.tolist(),
        "form": form,
        "can_review": can_review and release.status == release.Status.PROCESSED,
    }
    return render(request, "opendata/release.html", context)


@login_required
def statistic_create(request: HttpRequest, name: str) -> HttpResponse:
    dataset = access.access_dataset_for_edit(request.user, name)
    sources = dataset.releases.exclude(status=Release.Status.REJECTED)
    form = forms.DpStatisticForm(request.POST or None, releases=sources)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            statistic = dpstats.statistic_create(
                actor=request.user,
                release=sources.get(pk=int(data["release"])),
                label=data["label"],
                kind=data["kind"],
                column=data["column"],
                categories=dpstats.parse_categories(data["categories"]),
                lower=data["lower"],
                upper=data["upper"],
                epsilon=data["epsilon"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The statistic has been computed. Review it to publish."))
            return redirect("opendata:statistic", statistic_id=statistic.pk)
    return render(
        request,
        "opendata/statistic_form.html",
        {
            "form": form,
            "dataset": dataset,
            "budget": dpstats.dataset_budget(dataset),
            "has_sources": sources.exists(),
        },
    )


def statistic_detail(request: HttpRequest, statistic_id: int) -> HttpResponse:
    statistic = access.access_dp_statistic(request.user, statistic_id)
    dataset = statistic.dataset
    can_review = permissions.can_review(request.user, dataset)
    if request.method == "POST":
        if not can_review:
            raise PermissionDenied
        decision = request.POST.get("decision")
        try:
            if decision == "publish":
                dpstats.statistic_publish(actor=request.user, statistic=statistic)
                messages.success(request, _("The statistic has been published."))
            elif decision == "withhold":
                dpstats.statistic_withhold(actor=request.user, statistic=statistic)
                messages.success(request, _("The statistic is withheld; its ε stays spent."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("opendata:statistic", statistic_id=statistic.pk)
    is_publisher = can_review or permissions.can_edit_dataset(request.user, dataset)
    return render(
        request,
        "opendata/statistic.html",
        {
            "statistic": statistic,
            "dataset": dataset,
            "margin": dpstats.margin_95(statistic),
            "budget": dpstats.dataset_budget(dataset) if is_publisher else None,
            "can_review": can_review and statistic.status == statistic.Status.PENDING,
        },
    )
