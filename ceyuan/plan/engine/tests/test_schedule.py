"""The working-day schedule file: years the chinesecalendar package does not know yet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ceyuan.plan.engine.schedule import ScheduleFileError, load_schedule, load_schedule_text
from ceyuan.plan.engine.workdays import ChineseWorkingCalendar, add_working_days

D = dt.date.fromisoformat

# 2026 as published (国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04), which the package
# also carries: the file must give the same calendar.
SCHEDULE_2026 = """\
2026:
  source: 国务院办公厅关于2026年部分节假日安排的通知
  holidays:
    - 2026-01-01..2026-01-03     # 元旦
    - 2026-02-15..2026-02-23     # 春节
    - 2026-04-04..2026-04-06     # 清明节
    - 2026-05-01..2026-05-05     # 劳动节
    - 2026-06-19..2026-06-21     # 端午节
    - 2026-09-25..2026-09-27     # 中秋节
    - 2026-10-01..2026-10-07     # 国庆节
  workdays: [2026-01-04, 2026-02-14, 2026-02-28, 2026-05-09, 2026-09-20, 2026-10-10]
"""


def test_a_schedule_file_gives_the_published_calendar_of_its_year() -> None:
    from_file = ChineseWorkingCalendar(published=load_schedule_text(SCHEDULE_2026))
    package = ChineseWorkingCalendar()
    day = D("2026-01-01")
    while day.year == 2026:
        assert from_file.is_working_day(day) == package.is_working_day(day), day
        day += dt.timedelta(days=1)


def test_a_year_the_package_does_not_know_comes_from_the_file() -> None:
    text = """\
2027:
  holidays: [2027-01-01, 2027-02-08..2027-02-12]
  workdays: [2027-02-20]
"""
    calendar = ChineseWorkingCalendar(beyond_range="error", published=load_schedule_text(text))
    assert not calendar.is_working_day(D("2027-01-01"))  # a Friday, off
    assert calendar.is_working_day(D("2027-02-20"))  # a Saturday, worked
    assert calendar.is_working_day(D("2027-03-01"))  # an ordinary Monday
    assert not calendar.is_working_day(D("2027-03-06"))  # an ordinary Saturday
    assert add_working_days(D("2027-02-05"), 1, calendar) == D("2027-02-15")


def test_the_file_is_read_from_disk_and_an_empty_one_is_no_years(tmp_path: Path) -> None:
    path = tmp_path / "schedule.yaml"
    path.write_text(SCHEDULE_2026, encoding="utf-8")
    years = load_schedule(path)
    assert list(years) == [2026] and years[2026].source.startswith("国务院办公厅")
    path.write_text("# nothing yet\n", encoding="utf-8")
    assert load_schedule(path) == {}
    with pytest.raises(ScheduleFileError, match="cannot read"):
        load_schedule(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("2027: [2027-01-01]\n", "<schedule>:1: 2027: expected source, holidays and workdays"),
        ("27:\n  holidays: []\n", "<schedule>:1: 27: a year is four digits"),
        ("2027:\n  holiday: []\n", "<schedule>:2: 2027.holiday: unknown field"),
        (
            "2027:\n  holidays:\n    - 2027-01-01\n    - 2027-13-01\n",
            "<schedule>:4: 2027.holidays[1]: “2027-13-01” is not a date",
        ),
        (
            "2027:\n  holidays: [2027-02-12..2027-02-08]\n",
            "<schedule>:2: 2027.holidays[0]: the range ends before it starts",
        ),
        (
            "2027:\n  holidays: [2026-12-31]\n",
            "<schedule>:2: 2027.holidays[0]: 2026-12-31 is not in",
        ),
        (
            "2027:\n  workdays: [2027-02-22]\n",
            "<schedule>:2: 2027.workdays: 2027-02-22 is a Monday, a working day already",
        ),
        (
            "2027:\n  holidays: [2027-02-20]\n  workdays: [2027-02-20]\n",
            "<schedule>:3: 2027.workdays: 2027-02-20 is also listed as a holiday",
        ),
        ("2027:\n  holidays: 2027-01-01\n", "<schedule>:2: 2027.holidays: expected a list"),
        ("2027: {}\n2027: {}\n", "<schedule>:2: 2027: this year is listed twice"),
        ("- 2027\n", "<schedule>:1: (root): expected a mapping of years"),
        ("2027: [\n", "not valid YAML"),
    ],
)
def test_a_bad_schedule_file_names_the_line_and_the_field(text: str, problem: str) -> None:
    with pytest.raises(ScheduleFileError) as caught:
        load_schedule_text(text)
    assert any(problem in p for p in caught.value.problems), caught.value.problems
