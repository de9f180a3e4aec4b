"""Each role × each protected page and API endpoint: allowed or refused, as a user would see."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

ROLES = [
    "anonymous",
    "nobody",
    "member",
    "reviewer",
    "officer",
    "outsider_officer",
    "coordinator",
    "admin",
]
ALLOWED_ALL = set(ROLES)
SIGNED_IN = ALLOWED_ALL - {"anonymous"}
COORDINATION = {"coordinator", "admin"}

# (name, method, path template, allowed roles, data). Paths may use {dept} and {other}.
PAGES: list[tuple[str, str, str, set[str], dict[str, Any] | None]] = [
    ("home", "get", "/", ALLOWED_ALL, None),
    ("organisation list", "get", "/organisations/", ALLOWED_ALL, None),
    ("organisation detail", "get", "/organisations/{dept}/", ALLOWED_ALL, None),
    (
        "organisation edit page",
        "get",
        "/organisations/{dept}/edit/",
        {"officer", *COORDINATION},
        None,
    ),
    (
        "other unit's edit page",
        "get",
        "/organisations/{other}/edit/",
        {"outsider_officer", *COORDINATION},
        None,
    ),
    ("new organisation page", "get", "/organisations/new/", COORDINATION, None),
    ("profile", "get", "/accounts/profile/", SIGNED_IN, None),
    ("tokens page", "get", "/accounts/tokens/", SIGNED_IN, None),
    ("audit page", "get", "/audit/", COORDINATION, None),
    ("audit CSV", "get", "/audit/export.csv", COORDINATION, None),
    ("admin site", "get", "/admin/", {"admin"}, None),
]

API: list[tuple[str, str, str, set[str], dict[str, Any] | None]] = [
    ("list organisations", "get", "/api/v1/organisations/", ALLOWED_ALL, None),
    ("show organisation", "get", "/api/v1/organisations/{dept}/", ALLOWED_ALL, None),
    (
        "create organisation",
        "post",
        "/api/v1/organisations/",
        COORDINATION,
        {"code": "new-unit", "name_zh": "新单位", "kind": "district"},
    ),
    (
        "edit own organisation",
        "patch",
        "/api/v1/organisations/{dept}/",
        {"officer", *COORDINATION},
        {"description": "改"},
    ),
    ("list memberships", "get", "/api/v1/memberships/", SIGNED_IN, None),
    (
        "add member to a unit",
        "post",
        "/api/v1/memberships/",
        {"officer", *COORDINATION},
        {"username": "nobody", "organisation": "{dept}", "role": "member"},
    ),
    ("me", "get", "/api/v1/me/", SIGNED_IN, None),
    ("tokens", "get", "/api/v1/tokens/", SIGNED_IN, None),
    ("audit", "get", "/api/v1/audit/", COORDINATION, None),
]


def _client(world: Any, role: str) -> Client:
    client = Client()
    user = world.users()[role]
    if user is not None:
        if role == "admin":
            user.is_staff = True
            user.save()
        client.force_login(user)
    return client


def _fill(value: Any, world: Any) -> Any:
    if isinstance(value, str):
        return value.format(dept=world.department.pk, other=world.other_department.pk)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", PAGES, ids=[c[0] for c in PAGES])
def test_page_access_follows_role(world: Any, role: str, case: Any) -> None:
    _name, method, path, allowed, data = case
    response = getattr(_client(world, role), method)(_fill(path, world), _fill(data, world))
    if role in allowed:
        assert response.status_code == 200, f"{role} should open {path}"
    elif role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    else:
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:  # the admin sends non-staff users to its own login
            assert "login" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", API, ids=[c[0] for c in API])
def test_api_access_follows_role(world: Any, role: str, case: Any) -> None:
    _name, method, path, allowed, data = case
    client = _client(world, role)
    response = getattr(client, method)(
        _fill(path, world), _fill(data, world), content_type="application/json"
    )
    if role in allowed:
        assert response.status_code in (200, 201), (role, path, response.content)
    else:
        assert response.status_code in (401, 403, 404), (role, path, response.status_code)
        assert "error" in response.json()
