"""A researcher applies for a conditional dataset, the publisher approves, the researcher
downloads it."""

from __future__ import annotations

from typing import Any

import pytest

from ceyuan.accounts.models import Role
from ceyuan.testing import PASSWORD, make_organisation, make_user

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = "区县,年份,企业数\n东城区,2023,1520\n海淀区,2023,8840\n".encode()


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def _log_out(page: Any) -> None:
    page.locator("form[action$='/accounts/logout/'] button").click()
    page.wait_for_load_state()


def test_researcher_applies_publisher_approves_researcher_downloads(
    page: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    from ceyuan.opendata import services

    settings.MEDIA_ROOT = tmp_path
    dept = make_organisation("jxj", name_zh="市经济和信息化局", name_en="Economy Bureau")
    officer = make_user("publisher", organisation=dept, role=Role.UNIT_OFFICER)
    make_user("researcher")
    dataset = services.dataset_create(
        actor=officer,
        name="enterprise-stats",
        title_zh="企业统计数据",
        publisher=dept,
        opening_level="restricted",
        description_zh="各区企业数量统计",
        keywords=["企业"],
    )
    services.resource_create(
        actor=officer, dataset=dataset, content=CSV, filename="enterprises.csv"
    )
    base = live_server.url

    # The researcher finds the dataset by a Chinese word and applies.
    _log_in(page, base, "researcher")
    page.goto(f"{base}/data/?q=企业")
    assert page.locator("[data-testid=result-count]").inner_text() == "1 个数据集"
    screenshot(page, "opendata-00-search")
    page.get_by_role("link", name="企业统计数据").click()
    page.wait_for_url(f"{base}/data/datasets/enterprise-stats/")
    assert page.locator("[data-testid=download]").count() == 0
    screenshot(page, "opendata-01-conditional-dataset")
    page.locator("a[href$='/apply/']").click()
    page.locator("[name=purpose]").fill("研究各区企业分布，服务产业规划")
    page.locator("[name=scope]").fill("全部字段")
    page.locator("[name=security_commitment]").fill("仅在单位内网使用，不对外提供")
    page.locator("[name=agreement_accepted]").check()
    screenshot(page, "opendata-02-application-form")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/data/applications/*/")
    assert page.locator("[data-testid=status]").inner_text() == "已提交"
    _log_out(page)

    # The publisher reviews and approves.
    _log_in(page, base, "publisher")
    page.goto(f"{base}/data/applications/")
    screenshot(page, "opendata-03-review-queue")
    page.locator("main table a[href*='/data/applications/']").first.click()
    page.locator("[name=decision]").select_option("approve")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=status]").inner_text() == "已批准"
    screenshot(page, "opendata-04-approved")
    _log_out(page)

    # The researcher downloads.
    _log_in(page, base, "researcher")
    page.goto(f"{base}/data/datasets/enterprise-stats/")
    assert "海淀区" in page.content()  # preview now visible
    screenshot(page, "opendata-05-granted-dataset")
    with page.expect_download() as info:
        page.locator("[data-testid=download]").click()
    path = info.value.path()
    with open(path, "rb") as handle:
        assert handle.read() == CSV

    from ceyuan.opendata.models import AccessLog

    assert AccessLog.objects.filter(action="download", user__username="researcher").count() == 1


def test_publisher_releases_a_dp_statistic_that_the_public_sees(
    page: Any, live_server: Any, settings: Any, tmp_path: Any
) -> None:
    from ceyuan.opendata import services

    settings.MEDIA_ROOT = tmp_path
    dept = make_organisation("rsj", name_zh="市人力资源和社会保障局", name_en="HR Bureau")
    officer = make_user("steward", organisation=dept, role=Role.UNIT_OFFICER)
    services.dataset_create(
        actor=officer,
        name="talent-housing",
        title_zh="人才公寓申请数据",
        publisher=dept,
        opening_level="restricted",
    )
    rows = [f"申请人{i},{20 + i % 40},{'海淀区' if i % 3 else '朝阳区'}" for i in range(90)]
    table = tmp_path / "applicants.csv"
    table.write_text("姓名,年龄,区县\n" + "\n".join(rows) + "\n", encoding="utf-8")
    base = live_server.url

    _log_in(page, base, "steward")
    page.goto(f"{base}/data/datasets/talent-housing/")
    page.get_by_role("link", name="安全发布").click()
    page.locator("[name=upload]").set_input_files(str(table))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/data/releases/*/")

    page.goto(f"{base}/data/datasets/talent-housing/statistics/new/")
    assert "已用 0" in page.locator("[data-testid=budget]").inner_text()
    page.locator("[name=label]").fill("各区申请人数")
    page.locator("[name=kind]").select_option("histogram")
    page.locator("[name=column]").fill("区县")
    page.locator("[name=categories]").fill("海淀区，朝阳区")
    page.locator("[name=epsilon]").fill("0.5")
    screenshot(page, "opendata-10-dp-statistic-form")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{base}/data/statistics/*/")
    assert "剩余 1.5" in page.locator("[data-testid=budget]").inner_text()
    page.get_by_role("button", name="发布", exact=True).click()
    page.wait_for_load_state()
    screenshot(page, "opendata-11-dp-statistic-published")
    _log_out(page)

    page.goto(f"{base}/data/datasets/talent-housing/")
    section = page.locator("[data-testid=dp-statistics]")
    assert "各区申请人数" in section.inner_text() and "海淀区" in section.inner_text()
    assert page.locator("[data-testid=budget]").count() == 0  # the budget is the publisher's
    screenshot(page, "opendata-12-dp-statistic-public")
