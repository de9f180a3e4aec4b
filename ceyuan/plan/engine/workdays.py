"""Working-day arithmetic on the Chinese official calendar.

Deadlines in work plans are counted in working days (工作日): Monday to Friday, except statutory
holidays (法定节假日), plus the weekend days declared make-up working days (调休上班). The
official schedule is published by the State Council each year; the ``chinesecalendar`` package
carries it (2004 to the latest published year).

Conventions (chosen so the arithmetic round-trips, and tested as invariants):

* ``working_days_between(a, b)`` counts working days d with a < d ≤ b; it is negative, counting
  (b, a], when b < a. Hence ``working_days_between(d, d) == 0``.
* ``add_working_days(d, n)`` for n > 0 is the n-th working day after d; for n < 0 the |n|-th
  working day before d; for n = 0, d itself. For every d and n ≥ 0,
  ``working_days_between(d, add_working_days(d, n)) == n``, and for a working day d,
  ``add_working_days(add_working_days(d, n), -n) == d``.

A schedule file (:mod:`.schedule`) can give years the package does not know yet, or correct
one: ``ChineseWorkingCalendar(published=load_schedule(path))`` uses it before the package, and
``set_default_calendar`` makes such a calendar the default (the plan app does so from the
``CEYUAN_WORKDAY_SCHEDULE`` setting). Years neither knows (the schedule is not yet published)
fall back to Monday–Friday by default, because a deadline next year must still get a due date;
pass ``ChineseWorkingCalendar(beyond_range="error")`` to refuse them instead.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, Protocol

import chinese_calendar

from .schedule import YearSchedule

__all__ = [
    "PUBLISHED_YEARS",
    "CalendarRangeError",
    "ChineseWorkingCalendar",
    "WeekdayCalendar",
    "WorkingCalendar",
    "add_working_days",
    "default_calendar",
    "is_working_day",
    "set_default_calendar",
    "working_days_between",
]

_ONE_DAY = dt.timedelta(days=1)


#: Years with a published schedule, as the installed ``chinesecalendar`` knows them.
PUBLISHED_YEARS = range(
    min(d.year for d in chinese_calendar.holidays),
    max(d.year for d in chinese_calendar.holidays) + 1,
)


@functools.lru_cache(maxsize=8192)
def _official_working_day(day: dt.date) -> bool | None:
    """The published schedule for ``day``; ``None`` when its year is not published."""
    if day.year not in PUBLISHED_YEARS:
        return None
    return bool(chinese_calendar.is_workday(day))


class CalendarRangeError(ValueError):
    """The calendar has no official schedule for the year asked about."""


class WorkingCalendar(Protocol):
    def is_working_day(self, day: dt.date) -> bool: ...


@dataclass(frozen=True, slots=True)
class WeekdayCalendar:
    """Monday to Friday, no holidays."""

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5


@dataclass(frozen=True, slots=True)
class ChineseWorkingCalendar:
    """The official calendar: statutory holidays off, make-up working days on. ``published``
    years (from a schedule file) take precedence over the ``chinesecalendar`` package."""

    beyond_range: Literal["weekdays", "error"] = "weekdays"
    published: Mapping[int, YearSchedule] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )

    def is_working_day(self, day: dt.date) -> bool:
        schedule = self.published.get(day.year)
        if schedule is not None:
            return schedule.is_working_day(day)
        official = _official_working_day(day)
        if official is not None:
            return official
        if self.beyond_range == "error":
            raise CalendarRangeError(f"no official working-day schedule for {day.year}")
        return day.weekday() < 5


_default: WorkingCalendar = ChineseWorkingCalendar()


def default_calendar() -> WorkingCalendar:
    return _default


def set_default_calendar(calendar: WorkingCalendar) -> None:
    """Make ``calendar`` the one used when none is passed (set once, at start-up)."""
    global _default
    _default = calendar


def is_working_day(day: dt.date, calendar: WorkingCalendar | None = None) -> bool:
    return (calendar if calendar is not None else _default).is_working_day(day)


def add_working_days(start: dt.date, n: int, calendar: WorkingCalendar | None = None) -> dt.date:
    """The ``n``-th working day after ``start`` (before it when ``n`` < 0); ``start`` if 0."""
    cal = calendar if calendar is not None else _default
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    day = start
    remaining = abs(n)
    while remaining:
        day += step
        if cal.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(
    start: dt.date, end: dt.date, calendar: WorkingCalendar | None = None
) -> int:
    """Working days in (start, end]; negative (counting (end, start]) when end < start."""
    cal = calendar if calendar is not None else _default
    if end < start:
        return -working_days_between(end, start, cal)
    count = 0
    day = start
    while day < end:
        day += _ONE_DAY
        if cal.is_working_day(day):
            count += 1
    return count
