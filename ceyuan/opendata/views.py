"""Open-data pages. Thin: read through selectors/access, write through services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ceyuan.accounts.access import signed_in
from ceyuan.accounts.models import Organisation
from ceyuan.accounts.permissions import is_coordinator, organisation_ids
from ceyuan.core.forms import add_service_errors

from . import (
    access,
    applications,
    auth,
    dcat,
    dpstats,
    forms,
    permissions,
    selectors,
    services,
    training,
)
from .dpstats import published_statistics
from .models import AccessLog, Application, Dataset, OpeningPlanItem, Resource, Zone

PAGE_SIZE = 20
FACET_NAMES = ("zone", "publisher", "theme", "level", "format")


def _ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def catalogue(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    filters = {name: request.GET.getlist(name) for name in FACET_NAMES if request.GET.getlist(name)}
    filters["status"] = ["published"]
    try:
        page_number = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page_number = 1
    result = selectors.search(
        request.user,
        q=cleaned.get("q", ""),
        filters=filters,
        sort=cleaned.get("sort", ""),
        start=(page_number - 1) * PAGE_SIZE,
        rows=PAGE_SIZE,
        facets=FACET_NAMES,
        facet_limit=15,
    )
    prefetch_related_objects(result.datasets, "themes")
    labels = selectors.facet_labels(result.facets)
    level_labels = dict(Dataset._meta.get_field("access").choices)  # type: ignore[arg-type]
    facets = []
    for name in FACET_NAMES:
        chosen = filters.get(name, [])
        items = []
        for value, count in result.facets.get(name, {}).items():
            label = labels.get(name, {}).get(value) or level_labels.get(value, value)
            params = request.GET.copy()
            params.pop("page", None)
            values = params.getlist(name)
            if value in values:
                values.remove(value)
            else:
                values.append(value)
            params.setlist(name, values)
            items.append(
                {
                    "value": value,
                    "label": label,
                    "count": count,
                    "chosen": value in chosen,
                    "query": params.urlencode(),
                }
            )
        facets.append({"name": name, "items": items})
    pages = max((result.count + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    base = request.GET.copy()
    base.pop("page", None)
    return render(
        request,
        "opendata/catalogue.html",
        {
            "form": form,
            "result": result,
            "facets": facets,
            "page_number": page_number,
            "pages": pages,
            "query": base.urlencode(),
            "can_publish": _publishing_orgs(request.user).exists(),
        },
    )


def _publishing_orgs(user: Any) -> Any:
    if is_coordinator(user):
        return Organisation.objects.filter(is_active=True)
    return Organisation.objects.filter(pk__in=organisation_ids(user, permissions.PUBLISHING_ROLES))


def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    dataset = access.access_dataset(request.user, name)
    can_read, grant = permissions.data_access(request.user, dataset)
    resources = list(dataset.resources.prefetch_related("columns"))
    preview = None
    first_table = next((r for r in resources if r.datastore_active), None)
    if first_table is not None and can_read:
        services.data_read(
            user=request.user,
            dataset=dataset,
            resource=first_table,
            action=AccessLog.Action.PREVIEW,
            channel=AccessLog.Channel.WEB,
            ip=_ip(request),
        )
        preview = selectors.table_query(first_table, limit=10)
    user = request.user
    my_applications = (
        Application.objects.filter(dataset=dataset, applicant=user) if user.is_authenticated else []
    )
    is_publisher = permissions.can_edit_dataset(user, dataset) or permissions.can_review(
        user, dataset
    )
    return render(
        request,
        "opendata/dataset_detail.html",
        {
            "dataset": dataset,
            "resources": resources,
            "can_read": can_read,
            "grant": grant,
            "preview": preview,
            "preview_resource": first_table,
            "can_edit": permissions.can_edit_dataset(user, dataset),
            "can_apply": (
                user.is_authenticated
                and not can_read
                and applications.accepts_applications(dataset)
            ),
            "can_review": permissions.can_review(user, dataset),
            "can_stats": permissions.can_view_stats(user, dataset),
            "my_applications": my_applications,
            "versions": dataset.versions.all()[:10],
            "card": getattr(dataset, "training_card", None),
            "releases": dataset.releases.all()[:20] if is_publisher else None,
            "statistics": (
                dataset.dp_statistics.all() if is_publisher else published_statistics(dataset)
            )[:50],
            "dp_budget": dpstats.dataset_budget(dataset) if is_publisher else None,
        },
    )


@login_required
def dataset_create(request: HttpRequest) -> HttpResponse:
    orgs = _publishing_orgs(request.user)
    if not orgs.exists():
        raise PermissionDenied
    form = forms.DatasetForm(request.POST or None, organisations=orgs)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        themes = list(data.pop("themes"))
        try:
            dataset = services.dataset_create(
                actor=request.user,
                name=data.pop("name"),
                title_zh=data.pop("title_zh"),
                publisher=data.pop("publisher"),
                opening_level=data.pop("opening_level"),
                themes=themes,
                **data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The dataset has been published."))
            return redirect("opendata:dataset", name=dataset.name)
    return render(
        request, "opendata/form.html", {"form": form, "title": _("New dataset"), "multipart": False}
    )


@login_required
def dataset_edit(request: HttpRequest, name: str) -> HttpResponse:
    dataset = access.access_dataset_for_edit(request.user, name)
    initial = {
        field: getattr(dataset, field)
        for field in forms.DatasetForm.base_fields
        if field not in ("themes", "keywords", "publisher", "zone")
    }
    initial.update(
        publisher=dataset.publisher_id,
        zone=dataset.zone_id,
        themes=list(dataset.themes.values_list("pk", flat=True)),
        keywords=", ".join(dataset.keywords or []),
    )
    form = forms.DatasetForm(
        request.POST or None, initial=initial, organisations=_publishing_orgs(request.user)
    )
    form.fields["name"].disabled = True  # the name is the dataset's address; it never changes
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in form.changed_data}
        data.pop("name", None)
        themes = list(data.pop("themes")) if "themes" in data else None
        try:
            services.dataset_update(actor=request.user, dataset=dataset, themes=themes, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The dataset has been saved."))
            return redirect("opendata:dataset", name=dataset.name)
    return render(
        request,
        "opendata/form.html",
        {
            "form": form,
            "dataset": dataset,
            "title": _("Edit “%(title)s”") % {"title": dataset.title},
        },
    )


@login_required
def resource_create(request: HttpRequest, name: str) -> HttpResponse:
    dataset = access.access_dataset_for_edit(request.user, name)
    form = forms.ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            services.resource_create(
                actor=request.user,
                dataset=dataset,
                name=form.cleaned_data["name"],
                content=upload.read() if upload else None,
                filename=upload.name if upload else "",
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                schema=form.cleaned_data["schema"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The resource has been added."))
            return redirect("opendata:dataset", name=dataset.name)
    return render(
        request,
        "opendata/form.html",
        {
            "form": form,
            "title": _("Add a resource to “%(title)s”") % {"title": dataset.title},
            "multipart": True,
        },
    )


@login_required
def apply(request: HttpRequest, name: str) -> HttpResponse:
    dataset = access.access_dataset(request.user, name)
    if not applications.accepts_applications(dataset):  # say so before the form, not after
        messages.info(request, _("Only conditional datasets take applications."))
        return redirect("opendata:dataset", name=dataset.name)
    form = forms.ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = applications.application_submit(
                actor=request.user, dataset=dataset, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your application has been submitted for review."))
            return redirect("opendata:application", application_id=application.pk)
    return render(
        request,
        "opendata/form.html",
        {
            "form": form,
            "title": _("Apply for “%(title)s”") % {"title": dataset.title},
            "dataset": dataset,
        },
    )


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "opendata/applications.html",
        {
            "mine": selectors.applications_of(request.user)[:100],
            "to_review": selectors.applications_to_review(request.user).filter(
                status=Application.Status.SUBMITTED
            )[:100],
            "decided": selectors.applications_to_review(request.user).exclude(
                status=Application.Status.SUBMITTED
            )[:50],
            "grants": selectors.grants_of(request.user)[:100],
        },
    )


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = access.access_application(request.user, application_id)
    can_review = permissions.can_review(request.user, application.dataset)
    form = forms.DecisionForm(request.POST or None) if can_review else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == "approve":
                    applications.application_approve(actor=request.user, application=application)
                    messages.success(
                        request, _("The application has been approved and a grant issued.")
                    )
                else:
                    applications.application_refuse(
                        actor=request.user,
                        application=application,
                        reasons=form.cleaned_data["reasons"],
                    )
                    messages.success(request, _("The application has been refused."))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("opendata:application", application_id=application.pk)
    grant = getattr(application, "grant", None)
    return render(
        request,
        "opendata/application_detail.html",
        {
            "application": application,
            "form": form,
            "grant": grant,
            "revoke_form": forms.RevokeForm()
            if can_review and grant and grant.revoked_at is None
            else None,
        },
    )


@login_required
@require_POST
def grant_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = access.access_grant(request.user, grant_id)
    form = forms.RevokeForm(request.POST)
    if form.is_valid():
        try:
            applications.grant_revoke(
                actor=request.user, grant=grant, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The grant has been revoked."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Give the reason for the revocation."))
    return redirect("opendata:application", application_id=grant.application_id)


def _request_user(request: HttpRequest) -> tuple[Any, Any]:
    """The session user, or the user of an Authorization header (API token or data key)."""
    try:
        found = auth.authenticate(request)
    except auth.CredentialError as exc:
        raise PermissionDenied(str(exc)) from None
    if found is not None:
        return found
    return request.user, None


def resource_download(request: HttpRequest, ref: str) -> HttpResponseBase:
    try:
        user, key = _request_user(request)
    except services.RateLimited as exc:
        return HttpResponse(str(exc), status=429, content_type="text/plain")
    resource = access.access_resource(user, ref)
    if resource.kind != Resource.Kind.FILE or not resource.file:
        raise PermissionDenied(_("This resource is an API endpoint; call it directly."))
    services.data_read(
        user=user,
        dataset=resource.dataset,
        resource=resource,
        action=AccessLog.Action.DOWNLOAD,
        channel=AccessLog.Channel.WEB,
        api_key=key,
        ip=_ip(request),
    )
    filename = resource.file.name.rsplit("/", 1)[-1]
    return FileResponse(resource.file.open("rb"), as_attachment=True, filename=filename)


def resource_table(request: HttpRequest, ref: str) -> HttpResponse:
    resource = access.access_resource(request.user, ref)
    columns = list(resource.columns.all())
    filters = {
        c.name: request.GET[f"f.{c.name}"] for c in columns if request.GET.get(f"f.{c.name}")
    }
    sort = request.GET.get("sort", "")
    try:
        page_number = max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        page_number = 1
    services.data_read(
        user=request.user,
        dataset=resource.dataset,
        resource=resource,
        action=AccessLog.Action.PREVIEW,
        channel=AccessLog.Channel.WEB,
        ip=_ip(request),
    )
    error = ""
    page = None
    try:
        page = selectors.table_query(
            resource, filters=filters, sort=sort, limit=50, offset=(page_number - 1) * 50
        )
        if not page.records and page.total and page_number > 1:  # past the end: the last page
            page_number = -(-page.total // 50)
            page = selectors.table_query(
                resource, filters=filters, sort=sort, limit=50, offset=(page_number - 1) * 50
            )
    except selectors.TableQueryError as exc:
        error = str(exc)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "opendata/table.html",
        {
            "resource": resource,
            "dataset": resource.dataset,
            "columns": columns,
            "page": page,
            "filters": filters,
            "sort": sort,
            "error": error,
            "page_number": page_number,
            "pages": max(((page.total if page else 0) + 49) // 50, 1),
            "query": params.urlencode(),
        },
    )


@login_required
def dataset_stats(request: HttpRequest, name: str) -> HttpResponse:
    dataset = access.access_dataset(request.user, name)
    if not permissions.can_view_stats(request.user, dataset):
        raise PermissionDenied
    return render(
        request,
        "opendata/stats.html",
        {"dataset": dataset, "stats": selectors.usage_stats(dataset)},
    )


@login_required
def training_card(request: HttpRequest, name: str) -> HttpResponse:
    dataset = access.access_dataset_for_edit(request.user, name)
    card = getattr(dataset, "training_card", None)
    initial = {f: getattr(card, f) for f in forms.TrainingCardForm.base_fields} if card else {}
    form = forms.TrainingCardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_card_set(actor=request.user, dataset=dataset, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The dataset card has been saved."))
            return redirect("opendata:dataset", name=dataset.name)
    return render(
        request, "opendata/form.html", {"form": form, "title": _("Training dataset card")}
    )


def training_export(request: HttpRequest, name: str) -> HttpResponse:
    user, key = _request_user(request)
    dataset = access.access_dataset(user, name)
    fmt = request.GET.get("format", "jsonl")
    if not dataset.is_training or fmt not in training.FORMATS:
        return HttpResponse(
            _("Not a training dataset, or an unknown format."),
            status=400,
            content_type="text/plain",
        )
    services.data_read(
        user=user,
        dataset=dataset,
        action=AccessLog.Action.EXPORT,
        channel=AccessLog.Channel.WEB,
        api_key=key,
        ip=_ip(request),
    )
    archive = training.export_archive(dataset, fmt=fmt)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{dataset.name}-{fmt}.zip"'
    return response


def catalogue_dcat(request: HttpRequest, fmt: str) -> HttpResponse:
    graph = dcat.catalogue_graph(dcat.public_datasets(), request.build_absolute_uri)
    if fmt == "ttl":
        return HttpResponse(
            graph.serialize(format="turtle"), content_type="text/turtle; charset=utf-8"
        )
    return HttpResponse(graph.serialize(format="json-ld"), content_type="application/ld+json")


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    form = forms.ApiKeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            _key, created = services.api_key_create(actor=request.user, **form.cleaned_data)
            form = forms.ApiKeyForm()
        except ValidationError as error:
            add_service_errors(form, error)
    keys = signed_in(request).data_api_keys.all()
    return render(request, "opendata/keys.html", {"form": form, "keys": keys, "created": created})


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, key_id: int) -> HttpResponse:
    key = access.access_api_key(request.user, key_id)
    services.api_key_revoke(actor=request.user, key=key)
    messages.success(request, _("The key has been revoked."))
    return redirect("opendata:keys")


def zones(request: HttpRequest) -> HttpResponse:
    items = Zone.objects.prefetch_related("operators__organisation")
    return render(request, "opendata/zones.html", {"zones": items})


def opening_plan(request: HttpRequest) -> HttpResponse:
    from . import indicators

    orgs = _publishing_orgs(request.user)
    form = None
    if orgs.exists():
        form = forms.PlanItemForm(request.POST or None, organisations=orgs)
        if request.method == "POST" and form.is_valid():
            data = dict(form.cleaned_data)
            name = data.pop("dataset")
            dataset = None
            if name:
                try:
                    dataset = access.access_dataset(request.user, name)
                except Http404:
                    dataset = None
            if name and dataset is None:
                form.add_error("dataset", _("No dataset has this name."))
            else:
                try:
                    services.opening_plan_item_add(actor=request.user, dataset=dataset, **data)
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("The item has been added to the plan."))
                    return redirect("opendata:plan")
    items = OpeningPlanItem.objects.select_related("plan__organisation", "dataset").order_by(
        "-plan__year", "due"
    )
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "opendata/plan.html",
        {
            "page": page,
            "form": form,
            "figures": {
                "opened": indicators.datasets_opened(),
                "open_rate": round(indicators.open_rate() * 100, 1),
                "downloads": indicators.downloads(),
                "grants": indicators.active_grants(),
            },
        },
    )


def indicators_json(request: HttpRequest) -> JsonResponse:
    from . import indicators

    return JsonResponse({name: fn() for name, fn in indicators.INDICATORS.items()})


__all__ = ["urlencode"]
