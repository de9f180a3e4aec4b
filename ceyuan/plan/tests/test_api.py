"""The plan API: public reads, scoped writes, the report review actions."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from ceyuan.plan import services
from ceyuan.plan.models import Indicator, Observation, Plan, ProgressReport, Task

pytestmark = pytest.mark.django_db
BASE = "/api/v1/plan"


def _api(user: Any = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_public_reads_plan_and_indicators_with_status(plan: Plan, world: Any) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    for year, value in ((2023, 1800), (2024, 2500)):
        services.observation_create(
            actor=world.coordinator, indicator=core, period_year=year, value=value
        )
    client = _api()
    assert client.get(f"{BASE}/plans/").json()["results"][0]["code"] == plan.code
    assert client.get(f"{BASE}/goal-areas/").json()["count"] == 5
    assert client.get(f"{BASE}/tasks/").json()["count"] == 16
    body = client.get(f"{BASE}/indicators/{core.pk}/").json()
    assert body["target_value"] == 3000
    assert body["status"]["status"] in {"on_track", "at_risk", "off_track"}
    assert body["status"]["projection"]["year"] == 2025
    listed = client.get(f"{BASE}/indicators/", {"code": "core_industry_scale"}).json()
    assert listed["results"][0]["status"]["status"] == body["status"]["status"]


def test_public_cannot_write(plan: Plan) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    response = _api().post(
        f"{BASE}/observations/", {"indicator": core.pk, "period_year": 2024, "value": 1}
    )
    assert response.status_code in (401, 403)
    assert response.json()["error"]["status"] in (401, 403)
    assert Observation.objects.count() == 0


def test_observation_create_goes_through_the_service(plan: Plan, world: Any) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    response = _api(world.coordinator).post(
        f"{BASE}/observations/",
        {"indicator": core.pk, "period_year": 2024, "value": 2200, "qualifier": "more_than"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["source_kind"] == "entered"
    assert response.json()["entered_by"] == "coordinator"
    refused = _api(world.officer).post(
        f"{BASE}/observations/", {"indicator": core.pk, "period_year": 2024, "value": 1}
    )
    assert refused.status_code == 403
    invalid = _api(world.coordinator).post(
        f"{BASE}/observations/",
        {"indicator": core.pk, "period_year": 1900, "value": 1},
        format="json",
    )
    assert invalid.status_code == 400
    assert "period_year" in invalid.json()["error"]["fields"]


def test_report_flow_through_the_api_and_scoping(plan: Plan, world: Any) -> None:
    task = Task.objects.get(plan=plan, number=6)
    coordinator, officer, outsider = (
        _api(world.coordinator),
        _api(world.officer),
        _api(world.outsider_officer),
    )
    assert (
        officer.post(
            f"{BASE}/assignments/", {"task": task.pk, "unit": world.department.pk, "role": "lead"}
        ).status_code
        == 403
    )
    assert (
        coordinator.post(
            f"{BASE}/assignments/", {"task": task.pk, "unit": world.department.pk, "role": "lead"}
        ).status_code
        == 201
    )
    created = officer.post(
        f"{BASE}/reports/", {"unit": world.department.pk, "period": "2025"}, format="json"
    )
    assert created.status_code == 201, created.json()
    rid = created.json()["id"]
    assert outsider.get(f"{BASE}/reports/{rid}/").status_code == 404
    assert _api().get(f"{BASE}/reports/").json()["count"] == 0
    assert (
        outsider.post(
            f"{BASE}/reports/", {"unit": world.department.pk, "period": "2024"}, format="json"
        ).status_code
        == 403
    )
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    patched = officer.patch(
        f"{BASE}/reports/{rid}/",
        {
            "narrative": "进展顺利",
            "values": [
                {"indicator": core.pk, "period_year": 2025, "value": 3100, "qualifier": "about"}
            ],
        },
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    from django.core.files.uploadedfile import SimpleUploadedFile

    attached = officer.post(
        f"{BASE}/reports/{rid}/attach/",
        {"file": SimpleUploadedFile("evidence.pdf", b"%PDF-1.4")},
        format="multipart",
    )
    assert attached.status_code == 200, attached.json()
    assert attached.json()["attachments"][0]["name"] == "evidence.pdf"
    assert _api(world.member).get(f"{BASE}/reports/{rid}/").status_code == 200
    assert officer.post(f"{BASE}/reports/{rid}/submit/").json()["status"] == "submitted"
    assert officer.post(f"{BASE}/reports/{rid}/accept/").status_code == 403
    returned = coordinator.post(f"{BASE}/reports/{rid}/return/", {"comment": "补充"}, format="json")
    assert returned.json()["status"] == "returned"
    assert officer.post(f"{BASE}/reports/{rid}/submit/").json()["status"] == "submitted"
    assert coordinator.post(f"{BASE}/reports/{rid}/accept/").json()["status"] == "accepted"
    assert ProgressReport.objects.get().status == "accepted"
    assert Observation.objects.get(indicator=core).value == 3100
    assert _api().get(f"{BASE}/reports/").json()["count"] == 1


def test_officer_edits_only_own_work_plan_items(plan: Plan, world: Any) -> None:
    task = Task.objects.get(plan=plan, number=6)
    body = {
        "task": task.pk,
        "owner_unit": world.department.pk,
        "code": "kjw-1",
        "year": 2025,
        "milestone_text": "节点",
        "deadline": "2025-06-30",
    }
    assert _api(world.outsider_officer).post(f"{BASE}/work-plan-items/", body).status_code == 403
    created = _api(world.officer).post(f"{BASE}/work-plan-items/", body)
    assert created.status_code == 201, created.json()
    iid = created.json()["id"]
    patch = {"status": "done", "completed_on": "2025-06-01"}
    assert (
        _api(world.outsider_officer).patch(f"{BASE}/work-plan-items/{iid}/", patch).status_code
        == 403
    )
    done = _api(world.officer).patch(f"{BASE}/work-plan-items/{iid}/", patch)
    assert done.status_code == 200 and done.json()["status"] == "done"
