"""A unit officer reports progress with an attachment; the coordinator returns it with a
comment; the officer resubmits; the coordinator accepts; the indicator shows the new figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ceyuan.accounts.models import Organisation, Role
from ceyuan.testing import PASSWORD, make_organisation, make_user

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def test_report_returned_resubmitted_accepted_updates_indicator(
    browser: Any, live_server: Any, tmp_path: Path, settings: Any
) -> None:
    from ceyuan.plan import services
    from ceyuan.plan.models import Indicator, ProgressReport, Task

    settings.MEDIA_ROOT = tmp_path / "media"
    plan = services.plan_load_file(actor=None, path=services.SHIPPED_PLAN).plan
    team = make_organisation(
        "work-team", Organisation.Kind.WORK_TEAM, name_zh="市级人工智能工作专班"
    )
    unit = make_organisation("kjw", name_zh="市科委、中关村管委会", name_en="Science Commission")
    coordinator = make_user("coord", organisation=team, role=Role.COORDINATOR)
    make_user("officer", organisation=unit, role=Role.UNIT_OFFICER)
    task = Task.objects.get(plan=plan, number=10)
    services.assignment_set(actor=coordinator, task=task, unit=unit, role="lead")
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    evidence = tmp_path / "统计快报.pdf"
    evidence.write_bytes(b"%PDF-1.4 evidence")
    base = live_server.url

    officer_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    officer = officer_ctx.new_page()
    officer.set_default_timeout(15000)
    coord_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    coord = coord_ctx.new_page()
    coord.set_default_timeout(15000)
    try:
        # The officer starts a draft for the unit and fills it in.
        _log_in(officer, base, "officer")
        officer.goto(f"{base}/plan/")
        assert officer.locator("[data-indicator=core_industry_scale]").is_visible()
        screenshot(officer, "plan-01-overview-zh")
        officer.goto(f"{base}/plan/reports/")
        officer.locator("select[name=unit]").select_option(str(unit.pk))
        officer.locator("input[name=period]").fill("2025")
        officer.locator("form.inline-form button[type=submit]").click()
        officer.wait_for_selector("#report-form")
        report = ProgressReport.objects.get()
        officer.locator("textarea[name=narrative]").fill(
            "多云算力调度平台已上线，核心产业规模约3100亿元。"
        )
        officer.locator("select[name=value_indicator]").select_option(str(core.pk))
        officer.locator("input[name=value_year]").fill("2025")
        officer.locator("select[name=value_qualifier]").select_option("about")
        officer.locator("input[name=value]").fill("3100")
        officer.locator("input[name=attachment]").set_input_files(str(evidence))
        officer.locator("#report-form button[type=submit]").click()
        officer.wait_for_selector("[data-testid=attachments] a")
        assert "统计快报.pdf" in officer.locator("[data-testid=attachments]").inner_text()
        officer.locator("form[action$='/submit/'] button").click()
        officer.wait_for_selector("[data-testid=report-status].s-submitted")
        screenshot(officer, "plan-02-report-submitted")

        # The coordinator returns it with a comment.
        _log_in(coord, base, "coord")
        coord.goto(f"{base}/plan/review/")
        coord.locator("[data-testid=reports] a").first.click()
        coord.locator("textarea[name=comment]").fill("请注明数据来源。")
        coord.locator("button[value=return]").click()
        coord.wait_for_selector("[data-testid=report-status].s-returned")
        screenshot(coord, "plan-03-report-returned")

        # The officer sees the comment, amends and resubmits.
        officer.goto(f"{base}/plan/reports/{report.pk}/")
        assert "请注明数据来源" in officer.locator("[data-testid=return-comment]").inner_text()
        officer.locator("textarea[name=narrative]").fill(
            "多云算力调度平台已上线，核心产业规模约3100亿元（数据来源：市统计局快报）。"
        )
        officer.locator("#report-form button[type=submit]").click()
        officer.wait_for_selector("[data-testid=narrative]:has-text('市统计局')")
        officer.locator("form[action$='/submit/'] button").click()
        officer.wait_for_selector("[data-testid=report-status].s-submitted")

        # The coordinator accepts; the figure becomes an observation.
        coord.goto(f"{base}/plan/reports/{report.pk}/")
        coord.locator("button[value=accept]").click()
        coord.wait_for_selector("[data-testid=report-status].s-accepted")
        screenshot(coord, "plan-04-report-accepted")

        coord.goto(f"{base}/plan/indicators/{core.pk}/")
        table = coord.locator("[data-testid=observations]").inner_text()
        assert "3100" in table
        assert coord.locator("svg.chart circle.obs").count() == 1
        screenshot(coord, "plan-05-indicator-with-new-value")
    finally:
        officer_ctx.close()
        coord_ctx.close()
