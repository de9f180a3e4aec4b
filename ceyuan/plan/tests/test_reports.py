"""The progress-report review flow and who may take part in it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ceyuan.audit.models import AuditEntry
from ceyuan.plan import reports, selectors, services
from ceyuan.plan.models import Indicator, Observation, Plan, ProgressReport, Task, WorkPlanItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(plan: Plan, world: Any) -> WorkPlanItem:
    task = Task.objects.get(plan=plan, number=6)
    services.assignment_set(actor=world.coordinator, task=task, unit=world.department, role="lead")
    return services.work_plan_item_create(
        actor=world.officer,
        task=task,
        owner_unit=world.department,
        code="kjw-2025-01",
        year=2025,
        milestone_text="建成多云算力调度平台",
        deadline=dt.date(2025, 9, 30),
    )


def test_report_returned_then_resubmitted_and_accepted_applies_items_and_values(
    plan: Plan, world: Any, item: WorkPlanItem
) -> None:
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    report = reports.report_create(
        actor=world.officer, plan=plan, unit=world.department, period="2025"
    )
    assert report.status == "draft"
    assert report.due_on > dt.date(2025, 12, 31)
    reports.report_update(
        actor=world.officer,
        report=report,
        narrative="平台已上线。",
        item_statuses={item.pk: {"status": "done", "completed_on": dt.date(2025, 9, 20)}},
        values=[{"indicator": core, "period_year": 2025, "value": 3100, "qualifier": "about"}],
    )
    reports.report_attach(
        actor=world.officer, report=report, file=SimpleUploadedFile("evidence.pdf", b"%PDF-1.4")
    )
    reports.report_submit(actor=world.officer, report=report)
    # Drafts and submitted reports are not public, nor visible to another unit.
    assert report not in selectors.reports_visible(world.outsider_officer, plan)
    reports.report_return(actor=world.coordinator, report=report, comment="请补充证明材料")
    assert report.status == "returned"
    with pytest.raises(ValidationError):
        reports.report_accept(actor=world.coordinator, report=report)
    reports.report_update(actor=world.officer, report=report, narrative="平台已上线，附验收报告。")
    reports.report_submit(actor=world.officer, report=report)
    reports.report_accept(actor=world.coordinator, report=report)
    report.refresh_from_db()
    item.refresh_from_db()
    assert report.status == "accepted"
    assert (item.status, item.completed_on) == ("done", dt.date(2025, 9, 20))
    obs = Observation.objects.get(indicator=core)
    assert (obs.value, obs.qualifier, obs.report_id, obs.source_kind) == (
        3100,
        "about",
        report.pk,
        "entered",
    )
    assert [e.action for e in report.events.all()] == ["submit", "return", "submit", "accept"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"plan.report.submit", "plan.report.return", "plan.report.accept"} <= actions
    assert report in selectors.reports_visible(None, plan)


def test_officer_of_another_unit_cannot_report_or_edit(
    plan: Plan, world: Any, item: WorkPlanItem
) -> None:
    with pytest.raises(PermissionDenied):
        reports.report_create(
            actor=world.outsider_officer, plan=plan, unit=world.department, period="2025"
        )
    with pytest.raises(PermissionDenied):
        services.work_plan_item_update(actor=world.outsider_officer, item=item, status="done")
    report = reports.report_create(
        actor=world.officer, plan=plan, unit=world.department, period="2025-H1"
    )
    with pytest.raises(PermissionDenied):
        reports.report_update(actor=world.outsider_officer, report=report, narrative="x")
    with pytest.raises(PermissionDenied):
        reports.report_update(actor=world.member, report=report, narrative="x")


def test_only_coordinators_review_and_a_return_needs_a_comment(plan: Plan, world: Any) -> None:
    report = reports.report_create(
        actor=world.officer, plan=plan, unit=world.department, period="2024", narrative="进展"
    )
    reports.report_submit(actor=world.officer, report=report)
    with pytest.raises(PermissionDenied):
        reports.report_accept(actor=world.officer, report=report)
    with pytest.raises(ValidationError) as caught:
        reports.report_return(actor=world.coordinator, report=report, comment=" ")
    assert "comment" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        reports.report_update(actor=world.officer, report=report, narrative="改")


def test_submitting_an_empty_report_is_refused(plan: Plan, world: Any) -> None:
    report = reports.report_create(
        actor=world.officer, plan=plan, unit=world.department, period="2024"
    )
    with pytest.raises(ValidationError):
        reports.report_submit(actor=world.officer, report=report)
    assert ProgressReport.objects.get().status == "draft"


def test_scorecard_and_live_indicator_follow_the_work_plan(
    plan: Plan, world: Any, item: WorkPlanItem
) -> None:
    from ceyuan.plan.live import observations_refresh_live

    services.work_plan_item_update(
        actor=world.officer, item=item, status="done", completed_on=dt.date(2025, 9, 1)
    )
    card = selectors.scorecards(plan, dt.date(2025, 10, 1))["kjw"]
    assert (card.tasks_led, card.items_on_time) == (1, 1)
    stored = observations_refresh_live(today=dt.date(2025, 10, 1))
    by_code = {o.indicator.code: o for o in stored}
    share = by_code["work_plan_on_time_share"]
    assert (share.value, share.source_kind, share.computed_from) == (
        100.0,
        "computed",
        "plan.work_plan_on_time_share",
    )
    # Running again with nothing changed stores nothing.
    assert observations_refresh_live(today=dt.date(2025, 10, 1)) == []


def test_live_source_registered_by_another_app_feeds_its_indicator(plan: Plan) -> None:
    from ceyuan.plan.engine.projection import Observation as EngineObservation
    from ceyuan.plan.engine.projection import SourceKind
    from ceyuan.plan.live import live_source, observations_refresh_live, unregister

    @live_source("governance.filed_algorithms", indicator="filed_algorithms")
    def filed(today: dt.date) -> EngineObservation:
        return EngineObservation(
            period=today, value=42, source_kind=SourceKind.COMPUTED, source="algorithm filings"
        )

    try:
        stored = observations_refresh_live(today=dt.date(2025, 3, 1))
    finally:
        unregister("governance.filed_algorithms")
    obs = next(o for o in stored if o.indicator.code == "filed_algorithms")
    assert (obs.value, obs.computed_from, obs.period_date) == (
        42,
        "governance.filed_algorithms",
        dt.date(2025, 3, 1),
    )


def test_a_live_source_keeps_one_figure_per_day(plan: Plan) -> None:
    """A new figure the same day replaces the day's figure; the audit trail keeps the old."""
    from ceyuan.audit.models import AuditEntry
    from ceyuan.plan.engine.projection import Observation as EngineObservation
    from ceyuan.plan.engine.projection import SourceKind
    from ceyuan.plan.live import live_source, observations_refresh_live, unregister
    from ceyuan.plan.models import Observation

    figure = {"value": 40.0}

    @live_source("test.feed", indicator="filed_algorithms")
    def feed(today: dt.date) -> EngineObservation:
        return EngineObservation(
            period=today, value=figure["value"], source_kind=SourceKind.COMPUTED, source="feed"
        )

    try:
        observations_refresh_live(today=dt.date(2025, 3, 1))
        figure["value"] = 41.0
        observations_refresh_live(today=dt.date(2025, 3, 1))
        observations_refresh_live(today=dt.date(2025, 3, 2))
    finally:
        unregister("test.feed")
    rows = Observation.objects.filter(computed_from="test.feed").order_by("period_date")
    assert [(o.period_date, o.value) for o in rows] == [
        (dt.date(2025, 3, 1), 41.0),
        (dt.date(2025, 3, 2), 41.0),
    ]
    changes = [
        e.changes["value"]
        for e in AuditEntry.objects.filter(action="plan.observation.compute").order_by("seq")
        if e.changes.get("provider") == "test.feed"
    ]
    assert changes == [40.0, {"from": 40.0, "to": 41.0}, 41.0]


def test_a_yearly_live_figure_keeps_one_row_per_year(plan: Plan) -> None:
    from ceyuan.plan.engine.projection import Observation as EngineObservation
    from ceyuan.plan.engine.projection import SourceKind
    from ceyuan.plan.models import Indicator, Observation

    indicator = Indicator.objects.get(plan=plan, code="filed_algorithms")
    for year, value in ((2024, 10.0), (2025, 12.0)):
        computed = EngineObservation(
            period=year, value=value, source_kind=SourceKind.COMPUTED, source="yearly"
        )
        services.observation_record_computed(
            indicator=indicator, computed=computed, provider="test.yearly"
        )
    rows = Observation.objects.filter(computed_from="test.yearly").order_by("period_year")
    assert [(o.period_year, o.value) for o in rows] == [(2024, 10.0), (2025, 12.0)]


def test_report_due_dates_count_official_working_days() -> None:
    # 1 January is a holiday: ten working days after 31 December 2024 is 15 January 2025.
    assert reports.report_due_on("2024") == dt.date(2025, 1, 15)
    # National Day week (1–7 October 2024) is skipped; Saturday 12 October was a make-up day.
    assert reports.report_due_on("2024-Q3") == dt.date(2024, 10, 18)
    with pytest.raises(ValidationError):
        reports.report_due_on("2024-Q5")


def test_overdue_item_shows_on_unit_page_and_timeline(
    plan: Plan, world: Any, item: WorkPlanItem
) -> None:
    from django.test import Client
    from django.urls import reverse

    entries = selectors.timeline(plan, dt.date(2025, 10, 15))
    mine = next(e for e in entries if e.kind == "item")
    assert mine.state.state.value == "overdue"
    assert mine.state.working_days > 0
    assert any(e.kind == "milestone" for e in entries)
    card = selectors.scorecards(plan, dt.date(2025, 10, 15))["kjw"]
    assert card.items_overdue == 1
    page = Client().get(reverse("plan-unit", args=[world.department.pk])).content.decode()
    assert "建成多云算力调度平台" in page
    timeline = Client().get(reverse("plan-timeline"), {"state": "overdue"}, HTTP_HX_REQUEST="true")
    assert "建成多云算力调度平台" in timeline.content.decode()
    assert "<html" not in timeline.content.decode()
