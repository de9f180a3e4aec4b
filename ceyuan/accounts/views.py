"""Account and organisation pages. Thin: read through selectors/access, write through services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ceyuan.core.forms import add_service_errors

from . import access, permissions, selectors, services
from .forms import (
    LanguageForm,
    MembershipAddForm,
    OrganisationFilterForm,
    OrganisationForm,
    TokenCreateForm,
)
from .models import Organisation, Role


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.user_password_changed(actor=access.signed_in(self.request))
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.user_password_changed(actor=form.user)
        return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = access.signed_in(request)
    form = LanguageForm(request.POST or None, initial={"language": user.language or "zh-hans"})
    if request.method == "POST" and form.is_valid():
        services.user_set_language(actor=user, language=form.cleaned_data["language"])
        messages.success(request, _("Your language has been saved."))
        return redirect("profile")
    memberships = user.memberships.select_related("organisation")
    return render(request, "accounts/profile.html", {"form": form, "memberships": memberships})


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    created_raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, created_raw = services.token_create(
                actor=access.signed_in(request),
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_at"],
            )
            form = TokenCreateForm()
        except ValidationError as error:
            add_service_errors(form, error)
    tokens = selectors.tokens_of(request.user)
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": tokens, "created_raw": created_raw},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = access.access_token(request.user, token_id)
    services.token_revoke(actor=access.signed_in(request), token=token)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "accounts/_token_row.html", {"token": token})
    messages.success(request, _("The token has been revoked."))
    return redirect("token-list")


def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    orgs = selectors.organisation_search(
        request.user, q=filters.get("q", ""), kind=filters.get("kind", "")
    )
    page = Paginator(orgs, 25).get_page(request.GET.get("page"))
    htmx = request.htmx  # type: ignore[attr-defined]  # set by django-htmx's middleware
    template = "accounts/_organisation_table.html" if htmx else "accounts/organisations.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "can_create": permissions.can_create_organisation(request.user),
        },
    )


def _grantable_roles(user: Any, org: Organisation) -> list[tuple[str, Any]]:
    return [(r, label) for r, label in Role.choices if permissions.can_grant_role(user, org, r)]


def organisation_detail(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = access.access_organisation(request.user, organisation_id)
    can_manage = permissions.can_manage_organisation(request.user, org)
    members = (
        org.memberships.select_related("user")
        if permissions.can_view_organisation_members(request.user, org)
        else None
    )
    return render(
        request,
        "accounts/organisation_detail.html",
        {
            "organisation": org,
            "members": members,
            "can_manage": can_manage,
            "member_form": (
                MembershipAddForm(grantable=_grantable_roles(request.user, org))
                if can_manage
                else None
            ),
        },
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_organisation(request.user):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "is_active"}
        try:
            org = services.organisation_create(actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organisation has been created."))
            return redirect("organisation-detail", organisation_id=org.pk)
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = access.access_organisation_for_edit(request.user, organisation_id)
    form = OrganisationForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        org.refresh_from_db()  # the form changed the instance; the service compares from the DB
        try:
            services.organisation_update(actor=request.user, organisation=org, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organisation has been saved."))
            return redirect("organisation-detail", organisation_id=org.pk)
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": org})


@login_required
@require_POST
def membership_add(request: HttpRequest, organisation_id: int) -> HttpResponse:
    org = access.access_organisation_for_edit(request.user, organisation_id)
    form = MembershipAddForm(request.POST, grantable=_grantable_roles(request.user, org))
    if form.is_valid():
        try:
            services.membership_add(
                actor=request.user,
                user=form.cleaned_data["username"],
                organisation=org,
                role=form.cleaned_data["role"],
            )
            messages.success(request, _("The member has been added."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(map(str, errors)))
    return redirect("organisation-detail", organisation_id=org.pk)


@login_required
@require_POST
def membership_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = access.access_membership(request.user, membership_id)
    org_id = membership.organisation_id
    services.membership_remove(actor=request.user, membership=membership)
    messages.success(request, _("The membership has been removed."))
    return redirect("organisation-detail", organisation_id=org_id)
