"""The plan app counts deadlines on the calendar of ``CEYUAN_WORKDAY_SCHEDULE``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ceyuan.plan.apps import configure_calendar
from ceyuan.plan.engine.workdays import default_calendar, set_default_calendar

D = dt.date.fromisoformat


def test_the_plan_app_installs_the_configured_schedule_as_the_default(tmp_path: Path) -> None:
    path = tmp_path / "schedule.yaml"
    path.write_text("2027:\n  holidays: [2027-03-01]\n", encoding="utf-8")
    before = default_calendar()
    try:
        configure_calendar(str(path))
        assert not default_calendar().is_working_day(D("2027-03-01"))
        path.write_text("2027:\n  holidays: [2027-03-32]\n", encoding="utf-8")
        with pytest.raises(ImproperlyConfigured, match=r"schedule.yaml:2: 2027.holidays\[0\]"):
            configure_calendar(str(path))
        configure_calendar("")
        assert default_calendar().is_working_day(D("2027-03-01"))
    finally:
        set_default_calendar(before)
