from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from ceyuan.accounts import services
from ceyuan.accounts.models import Membership, Role


def test_unit_officer_edits_only_their_unit(world: Any) -> None:
    services.organisation_update(actor=world.officer, organisation=world.department, name_en="S&T")
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=world.officer, organisation=world.other_department, name_en="x"
        )


def test_unit_officer_adds_members_but_not_coordinators(world: Any) -> None:
    services.membership_add(
        actor=world.officer, user=world.nobody, organisation=world.department, role=Role.MEMBER
    )
    with pytest.raises(PermissionDenied):
        services.membership_add(
            actor=world.officer,
            user=world.nobody,
            organisation=world.department,
            role=Role.COORDINATOR,
        )
    with pytest.raises(PermissionDenied):
        services.membership_add(
            actor=world.coordinator,
            user=world.nobody,
            organisation=world.work_team,
            role=Role.PLATFORM_ADMIN,
        )


def test_members_of_a_unit_are_visible_only_to_that_unit_and_coordinators(world: Any) -> None:
    client = Client()
    client.force_login(world.outsider_officer)
    assert client.get(f"/organisations/{world.department.pk}/").context["members"] is None
    client.force_login(world.member)
    members = client.get(f"/organisations/{world.department.pk}/").context["members"]
    assert {m.user.username for m in members} == {"officer", "member"}


def test_organisation_pages_create_edit_and_manage_members(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    response = client.post(
        "/organisations/new/",
        {"code": "chaoyang", "name_zh": "朝阳区", "name_en": "Chaoyang", "kind": "district"},
    )
    assert response.status_code == 302
    org_url = response["Location"]
    edit = client.post(
        org_url + "edit/",
        {
            "code": "chaoyang",
            "name_zh": "朝阳区",
            "name_en": "Chaoyang District",
            "kind": "district",
            "is_active": "on",
        },
    )
    assert edit.status_code == 302
    assert "Chaoyang District" in client.get(org_url, {"lang": "en"}).content.decode()
    org_id = int(org_url.strip("/").split("/")[-1])
    client.post(
        f"/organisations/{org_id}/members/add/", {"username": "nobody", "role": "unit_officer"}
    )
    membership = Membership.objects.get(organisation_id=org_id, user=world.nobody)
    client.post(f"/organisations/memberships/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_organisation_form_shows_errors_next_to_fields(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    page = client.post("/organisations/new/", {"code": "", "name_zh": "", "kind": "district"})
    assert page.status_code == 200
    assert set(page.context["form"].errors) == {"code", "name_zh"}


def test_organisation_list_filters_with_htmx(world: Any) -> None:
    response = Client().get("/organisations/", {"q": "经济"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "市经济和信息化局" in body and "市科委" not in body


def test_unit_officer_cannot_change_their_units_kind_code_or_state(world: Any) -> None:
    from django.core.exceptions import ValidationError

    for field, value in (("kind", "department"), ("code", "renamed"), ("is_active", False)):
        with pytest.raises(ValidationError) as error:
            services.organisation_update(
                actor=world.outsider_officer,
                organisation=world.other_department,
                **{field: value if field != "kind" else "enterprise"},
            )
        assert field in error.value.message_dict
    services.organisation_update(
        actor=world.coordinator, organisation=world.other_department, kind="district"
    )


def test_admin_shows_organisations_read_only_and_audits_user_changes(world: Any) -> None:
    from ceyuan.audit.models import AuditEntry

    world.admin.is_staff = True
    world.admin.is_superuser = True
    world.admin.save()
    client = Client()
    client.force_login(world.admin)
    org_url = f"/admin/accounts/organisation/{world.department.pk}/change/"
    assert client.get(org_url).status_code == 200
    client.post(org_url, {"code": "x", "name_zh": "x", "kind": "district"})
    world.department.refresh_from_db()
    assert world.department.code == "kjw"
    assert client.get("/admin/opendata/dataset/add/").status_code == 403
    user_url = f"/admin/accounts/user/{world.nobody.pk}/change/"
    form = client.get(user_url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(email="nobody@example.org", date_joined_0="2026-01-01", date_joined_1="00:00:00")
    data["groups"] = []
    data["user_permissions"] = []
    client.post(user_url, data)
    assert AuditEntry.objects.filter(
        action="user.admin_change", object_id=str(world.nobody.pk)
    ).exists()


def test_the_member_form_offers_only_the_roles_its_user_may_grant(world: Any) -> None:
    client = Client()
    client.force_login(world.officer)
    page = client.get(f"/organisations/{world.department.pk}/")
    offered = {value for value, _label in page.context["member_form"].fields["role"].choices}
    assert offered and "platform_admin" not in offered and "coordinator" not in offered
    refused = client.post(
        f"/organisations/{world.department.pk}/members/add/",
        {"username": "nobody", "role": "coordinator"},
    )
    assert refused.status_code == 302  # back to the page with the form's error, not a 403
    assert not Membership.objects.filter(user=world.nobody).exists()
