"""Bad or unauthorised API requests get one error format and write nothing."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from ceyuan.accounts.models import Organisation
from ceyuan.audit.models import AuditEntry


def _state() -> tuple[int, int]:
    return Organisation.objects.count(), AuditEntry.objects.count()


def test_malformed_json_is_refused_without_writing(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    before = _state()
    response = client.post("/api/v1/organisations/", "{not json", content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["status"] == 400 and error["code"] == "parse_error" and error["message"]
    assert _state() == before


def test_invalid_fields_are_named(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    before = _state()
    response = client.post(
        "/api/v1/organisations/",
        {"code": "has spaces", "name_zh": "", "kind": "planet"},
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {"code", "name_zh", "kind"} <= set(fields)
    assert _state() == before


def test_unauthorised_write_is_refused_without_writing(world: Any) -> None:
    before = _state()
    anonymous = Client().post(
        "/api/v1/organisations/",
        {"code": "x", "name_zh": "x", "kind": "district"},
        content_type="application/json",
    )
    assert anonymous.status_code in (401, 403)
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    client = Client()
    client.force_login(world.outsider_officer)
    response = client.patch(
        f"/api/v1/organisations/{world.department.pk}/",
        {"name_en": "hijacked"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    world.department.refresh_from_db()
    assert world.department.name_en != "hijacked"
    assert _state() == before


def test_duplicate_membership_is_a_field_error(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    body = {"username": "member", "organisation": world.department.pk, "role": "member"}
    response = client.post("/api/v1/memberships/", body, content_type="application/json")
    assert response.status_code == 400
    assert "role" in response.json()["error"]["fields"]


def test_unknown_api_path_uses_the_error_format(world: Any) -> None:
    response = Client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_pagination_and_filtering(world: Any) -> None:
    response = Client().get("/api/v1/organisations/", {"kind": "department", "page_size": 1})
    body = response.json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]
    search = Client().get("/api/v1/organisations/", {"search": "Economy"}).json()
    assert [o["code"] for o in search["results"]] == ["jxj"]


def test_schema_and_docs_are_served_locally(world: Any) -> None:
    schema = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/organisations/" in schema.json()["paths"]
    docs = Client().get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs
    # every asset comes from this server: no src/href to another host (the page also holds
    # random nonces, so a bare "cdn" substring check failed now and then)
    external = re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", docs)
    assert external == [], external


def test_openapi_schema_generates_without_warnings(db: Any, tmp_path: Any) -> None:
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/plan/" in out.read_text() and "/api/v1/opendata/" in out.read_text()
