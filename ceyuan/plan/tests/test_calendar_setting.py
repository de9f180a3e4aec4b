"""The plan app counts deadlines on the calendar of ``CEYUAN_WORKDAY_SCHEDULE``."""

from __future__ import annotations

import datetime as dt
import io
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


def test_the_plan_command_checks_a_schedule_file(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    path = tmp_path / "schedule.yaml"
    path.write_text(
        "2027:\n  source: 通知\n  holidays: [2027-02-08..2027-02-12]\n  workdays: [2027-02-20]\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("plan", "check-schedule", str(path), stdout=out)
    assert "2027 (new): 5 day(s) off, 1 make-up working day(s); source: 通知" in out.getvalue()
    path.write_text("2027:\n  workdays: [2027-02-22]\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("plan", "check-schedule", str(path), stderr=err)
    assert "schedule.yaml:2: 2027.workdays: 2027-02-22 is a Monday" in err.getvalue()
