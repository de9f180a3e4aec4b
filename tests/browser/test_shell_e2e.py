"""A new user logs in, switches language, and opens the API documentation."""

from __future__ import annotations

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


def test_log_in_switch_language_and_open_api_docs(page: Any, live_server: Any) -> None:
    team = make_organisation(
        "work-team",
        Organisation.Kind.WORK_TEAM,
        name_zh="市级人工智能工作专班",
        name_en="Municipal AI work team",
    )
    make_user("coord", organisation=team, role=Role.COORDINATOR)
    base = live_server.url

    _log_in(page, base, "coord")
    assert page.locator("h1").first.inner_text().startswith("北京人工智能创新策源地")
    assert page.get_by_role("link", name="审计日志", exact=True).is_visible()
    screenshot(page, "01-home-zh")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Audit trail", exact=True).is_visible()
    screenshot(page, "02-home-en")

    # The choice follows the user to the next page.
    page.get_by_role("link", name="Organisations", exact=True).click()
    page.wait_for_url(f"{base}/organisations/")
    assert page.get_by_role("link", name="Municipal AI work team").is_visible()

    page.get_by_role("link", name="Audit trail", exact=True).click()
    assert page.get_by_text("user.set_language").first.is_visible()
    screenshot(page, "03-audit-en")

    page.goto(f"{base}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Ceyuan API" in page.locator(".swagger-ui .info .title").inner_text()
    screenshot(page, "04-api-docs")


def test_wrong_password_shows_an_error_and_phone_layout_has_a_menu(
    browser: Any, live_server: Any
) -> None:
    make_user("phone-user")
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("phone-user")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.locator(".errorlist").first.is_visible()
    # On a phone the navigation hides behind the menu button.
    assert not page.get_by_role("link", name="组织", exact=True).is_visible()
    page.locator("label.nav-toggle-label").click()
    assert page.get_by_role("link", name="组织", exact=True).is_visible()
    screenshot(page, "05-phone-menu")
    context.close()
