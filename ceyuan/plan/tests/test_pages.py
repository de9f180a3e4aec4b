"""The plan pages: public reading, scoped editing, the report flow through HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ceyuan.plan import reports, services
from ceyuan.plan.models import Indicator, Observation, Plan, ProgressReport, Task, WorkPlanItem

pytestmark = pytest.mark.django_db


def _client(user: Any = None, lang: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    if user is not None:
        client.force_login(user)
    return client


def test_public_reads_overview_indicator_task_and_timeline(plan: Plan, world: Any) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    services.observation_create(
        actor=world.coordinator, indicator=core, period_year=2023, value=1800
    )
    services.observation_create(
        actor=world.coordinator, indicator=core, period_year=2024, value=2200, qualifier="more_than"
    )
    client = _client()
    page = client.get(reverse("plan-overview"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "人工智能核心产业规模" in html and "<svg" in html
    assert html.count('class="indicator-card') >= 9
    page = client.get(reverse("plan-indicator", args=[core.pk]))
    html = page.content.decode()
    assert 'class="band"' in html and 'class="target-path"' in html
    assert "Add a figure" not in html and "添加数值" not in html
    task = Task.objects.get(plan=plan, number=1)
    assert client.get(reverse("plan-task", args=[task.pk])).status_code == 200
    assert client.get(reverse("plan-timeline")).status_code == 200
    assert client.get(reverse("plan-units")).status_code == 200
    english = _client(lang="en").get(reverse("plan-overview")).content.decode()
    assert "AI core industry scale" in english


def test_public_cannot_write_or_see_reports(plan: Plan, world: Any) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    report = reports.report_create(
        actor=world.officer, plan=plan, unit=world.department, period="2025"
    )
    anonymous = _client()
    post = anonymous.post(reverse("plan-indicator", args=[core.pk]), {"period_year": 2024})
    assert post.status_code == 403
    assert Observation.objects.count() == 0
    assert anonymous.get(reverse("plan-report", args=[report.pk])).status_code == 404
    assert anonymous.get(reverse("plan-reports")).status_code == 302  # to the login page
    outsider = _client(world.outsider_officer)
    assert outsider.get(reverse("plan-report", args=[report.pk])).status_code == 404
    assert outsider.get(reverse("plan-review")).status_code == 403
    assert _client(world.officer).get(reverse("plan-import")).status_code == 403


def test_officer_reports_and_coordinator_reviews_through_the_pages(plan: Plan, world: Any) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    officer = _client(world.officer)
    response = officer.post(
        reverse("plan-reports"), {"unit": world.department.pk, "period": "2025"}
    )
    report = ProgressReport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{report.pk}/")
    response = officer.post(
        reverse("plan-report", args=[report.pk]),
        {
            "narrative": "完成平台建设",
            "value_indicator": core.pk,
            "value_year": 2025,
            "value_qualifier": "about",
            "value": "3100",
            "attachment": SimpleUploadedFile("验收.pdf", b"%PDF-1.4 test"),
        },
    )
    assert response.status_code == 302
    assert report.attachments.count() == 1 and report.values.count() == 1
    officer.post(reverse("plan-report-submit", args=[report.pk]))
    coordinator = _client(world.coordinator)
    assert str(report.pk) in coordinator.get(reverse("plan-review")).content.decode()
    coordinator.post(
        reverse("plan-report-review", args=[report.pk]),
        {"decision": "return", "comment": "请补充数据来源"},
    )
    report.refresh_from_db()
    assert report.status == "returned"
    assert (
        "请补充数据来源" in officer.get(reverse("plan-report", args=[report.pk])).content.decode()
    )
    officer.post(
        reverse("plan-report", args=[report.pk]),
        {"narrative": "完成平台建设；数据来源：市统计局"},
    )
    officer.post(reverse("plan-report-submit", args=[report.pk]))
    coordinator.post(reverse("plan-report-review", args=[report.pk]), {"decision": "accept"})
    report.refresh_from_db()
    assert report.status == "accepted"
    page = _client().get(reverse("plan-indicator", args=[core.pk])).content.decode()
    assert "3100" in page
    attachment = report.attachments.get()
    assert _client().get(reverse("plan-attachment", args=[attachment.pk])).status_code == 200


def test_officer_updates_own_item_by_htmx_but_not_another_units(plan: Plan, world: Any) -> None:
    task = Task.objects.get(plan=plan, number=6)
    item = services.work_plan_item_create(
        actor=world.coordinator,
        task=task,
        owner_unit=world.department,
        code="i1",
        year=2025,
        milestone_text="节点",
        deadline=dt.date(2025, 6, 30),
    )
    url = reverse("plan-item-status", args=[item.pk])
    data = {"status": "done", "completed_on": "2025-06-20"}
    assert _client(world.outsider_officer).post(url, data).status_code == 403
    response = _client(world.officer).post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="item-' in response.content.decode()
    item.refresh_from_db()
    assert item.status == WorkPlanItem.Status.DONE
    # a refused change comes back with what was chosen, not the stored values
    future = {"status": "done", "completed_on": "2999-01-01"}
    row = _client(world.officer).post(url, future, HTTP_HX_REQUEST="true").content.decode()
    assert 'value="done" selected' in row and 'value="2999-01-01"' in row
    assert "errors-list" in row


def test_coordinator_assigns_a_lead_unit(plan: Plan, world: Any) -> None:
    task = Task.objects.get(plan=plan, number=6)
    url = reverse("plan-assignment-set", args=[task.pk])
    _client(world.officer).post(url, {"unit": world.department.pk, "role": "lead"})
    assert task.assignments.count() == 0
    _client(world.coordinator).post(url, {"unit": world.department.pk, "role": "lead"})
    assert task.assignments.get().role == "lead"
    page = _client().get(reverse("plan-unit", args=[world.department.pk]))
    assert page.status_code == 200


def test_export_is_an_excel_workbook_with_every_indicator(plan: Plan) -> None:
    import io

    from openpyxl import load_workbook

    response = _client().get(reverse("plan-export"))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    codes = [row[0].value for row in wb.worksheets[0].iter_rows(min_row=2)]
    assert "core_industry_scale" in codes and len(codes) == Indicator.objects.count()


def test_officer_enters_figures_only_for_indicators_their_tasks_feed(
    plan: Plan, world: Any
) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    feeding = core.tasks.first()
    services.assignment_set(
        actor=world.coordinator, task=feeding, unit=world.department, role="lead"
    )
    url = reverse("plan-indicator", args=[core.pk])
    data = {"period_year": 2024, "qualifier": "about", "value": "2500", "source": "快报"}
    assert _client(world.outsider_officer).post(url, data).status_code == 403
    evidence = SimpleUploadedFile("快报.pdf", b"%PDF-1.4")
    response = _client(world.officer).post(url, {**data, "evidence": evidence})
    assert response.status_code == 302
    obs = Observation.objects.get()
    assert (obs.value, obs.entered_by, obs.source_kind) == (2500, world.officer, "entered")
    assert obs.evidence.name.endswith(".pdf")
    refused = _client(world.officer).post(url, {**data, "period_year": 1900})
    assert refused.status_code == 200 and Observation.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "draft", "review_queue"),
    [
        ("anonymous", 404, 302),
        ("nobody", 404, 403),
        ("member", 200, 403),
        ("reviewer", 404, 403),
        ("officer", 200, 403),
        ("outsider_officer", 404, 403),
        ("coordinator", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_who_sees_a_draft_report_and_the_review_queue(
    plan: Plan, world: Any, role: str, draft: int, review_queue: int
) -> None:
    report = reports.report_create(
        actor=world.officer, plan=plan, unit=world.department, period="2025"
    )
    client = _client(world.users()[role])
    assert client.get(reverse("plan-report", args=[report.pk])).status_code == draft
    assert client.get(reverse("plan-review")).status_code == review_queue
    assert client.get(reverse("plan-overview")).status_code == 200


def test_coordinator_marks_a_qualitative_target_met_and_only_they_can(
    plan: Plan, world: Any
) -> None:
    from ceyuan.audit.models import AuditEntry
    from ceyuan.plan.models import Milestone

    milestone = Milestone.objects.filter(plan=plan).first()
    assert milestone is not None
    url = reverse("plan-milestone-complete", args=[milestone.pk])
    officer = Client()
    officer.force_login(world.officer)
    assert officer.post(url, {"completed_on": "2025-06-30"}).status_code == 403
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    coordinator.post(url, {"completed_on": future})
    milestone.refresh_from_db()
    assert milestone.completed_on is None  # a future date is refused
    coordinator.post(url, {"completed_on": "2025-06-30"})
    milestone.refresh_from_db()
    assert milestone.completed_on == dt.date(2025, 6, 30)
    assert AuditEntry.objects.filter(action="plan.milestone.complete").count() == 1
    page = Client().get(reverse("plan-overview")).content.decode()
    assert "2025-06-30" in page
    coordinator.post(url, {"completed_on": ""})
    milestone.refresh_from_db()
    assert milestone.completed_on is None


def test_home_page_shows_the_plan_targets_card(plan: Plan) -> None:
    page = Client().get("/", {"lang": "en"})
    cards = page.context["cards"]
    target_card = next(c for c in cards if c.url == reverse("plan-overview"))
    good, total = (int(x) for x in target_card.value.split(" / "))
    assert total == Indicator.objects.filter(plan=plan, goal_area__isnull=False).count()
    assert 0 <= good <= total
    assert "plan targets achieved or on track" in page.content.decode()


def test_a_report_figure_can_be_a_range(plan: Plan, world: Any) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    officer = _client(world.officer)
    officer.post(reverse("plan-reports"), {"unit": world.department.pk, "period": "2025"})
    report = ProgressReport.objects.get()
    figure = {"value_indicator": core.pk, "value_year": 2025, "value_qualifier": "range"}
    page = officer.post(reverse("plan-report", args=[report.pk]), figure)
    assert page.status_code == 200 and report.values.count() == 0  # bounds missing: refused
    typo = officer.post(reverse("plan-report", args=[report.pk]), {**figure, "value_lower": "x"})
    assert "value_lower:" not in typo.content.decode()  # the error shows once, at its input
    response = officer.post(
        reverse("plan-report", args=[report.pk]),
        {**figure, "value_lower": "3000", "value_upper": "3200"},
    )
    assert response.status_code == 302
    value = report.values.get()
    assert (value.qualifier, value.lower, value.upper) == ("range", 3000.0, 3200.0)


def test_a_report_figure_below_what_its_unit_allows_is_refused(plan: Plan, world: Any) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")  # 亿元
    officer = _client(world.officer)
    officer.post(reverse("plan-reports"), {"unit": world.department.pk, "period": "2025"})
    report = ProgressReport.objects.get()
    page = officer.post(
        reverse("plan-report", args=[report.pk]),
        {"value_indicator": core.pk, "value_year": 2025, "value_qualifier": "exact", "value": "-5"},
    )
    assert page.status_code == 200 and report.values.count() == 0
    assert "以亿元计的数值不能小于 0" in page.content.decode()
