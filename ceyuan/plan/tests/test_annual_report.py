"""The annual report PDF: Chinese and English, with an embedded CJK font."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ceyuan.plan import annual_report, services
from ceyuan.plan.models import Indicator, Plan
from ceyuan.testing import require_service

pytestmark = pytest.mark.django_db


def test_annual_report_in_chinese_and_english_embeds_a_cjk_font(plan: Plan, world: Any) -> None:
    try:
        annual_report.find_cjk_font()
        has_font = True
    except annual_report.AnnualReportError:
        has_font = False
    require_service(has_font, "a CJK font (Debian: fonts-noto-cjk)")
    core = Indicator.objects.get(plan=plan, code="core_industry_scale")
    for year, value in ((2023, 1800), (2024, 2400)):
        services.observation_create(
            actor=world.coordinator, indicator=core, period_year=year, value=value
        )
    client = Client()
    zh = client.get(reverse("plan-annual-report", args=[2024]))
    en = client.get(reverse("plan-annual-report", args=[2024]) + "?lang=en")
    for response in (zh, en):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert b"NotoSansCJK" in response.content or b"NotoSerifCJK" in response.content
    assert zh.content != en.content
    assert client.get(reverse("plan-annual-report", args=[2031])).status_code == 404


def test_missing_cjk_font_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(annual_report.AnnualReportError, match="fonts-noto-cjk"):
        annual_report.find_cjk_font((tmp_path,))


def test_wrapping_counts_cjk_characters_double() -> None:
    lines = list(annual_report.wrap("人工智能" * 10, 20))
    assert lines[0] == "人工智能" * 2 + "人工"
    assert list(annual_report.wrap("target path and projection", 12)) == [
        "target path",
        "and",
        "projection",
    ]
