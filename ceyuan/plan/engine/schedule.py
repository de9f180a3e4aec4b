"""A working-day schedule file: the official holidays and make-up working days of given years.

The State Council publishes each year's schedule (国务院办公厅关于某年部分节假日安排的通知) late
in the year before; the ``chinesecalendar`` package carries it only from its next release. A
schedule file lets an administrator enter a year as soon as it is published (or correct one),
and ``workdays.ChineseWorkingCalendar(published=...)`` uses it before the package::

    2027:
      source: 国务院办公厅关于2027年部分节假日安排的通知
      holidays:              # days off: statutory holidays and the days moved next to them
        - 2027-01-01
        - 2027-02-06..2027-02-12
      workdays:              # weekend days worked (调休上班)
        - 2027-02-20

A day of a listed year is a working day when it is listed under ``workdays``, or when it is
Monday to Friday and not listed under ``holidays``. Every problem is reported with the file,
the line and the field (``2027.holidays[1]``), and a refused file is refused whole.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["ScheduleFileError", "YearSchedule", "load_schedule", "load_schedule_text"]

_FIELDS = ("source", "holidays", "workdays")


@dataclass(frozen=True, slots=True)
class YearSchedule:
    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    source: str = ""

    def is_working_day(self, day: dt.date) -> bool:
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)


class ScheduleFileError(ValueError):
    """The schedule file was refused; ``problems`` lists each as ``file:line: field: message``."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        listed = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid working-day schedule ({len(problems)} problem(s)):\n{listed}")


def load_schedule(path: str | Path) -> dict[int, YearSchedule]:
    """The years of the schedule file at ``path``; raise :class:`ScheduleFileError` if invalid."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScheduleFileError([f"{path}: cannot read file: {exc}"]) from exc
    return load_schedule_text(text, name=str(path))


def load_schedule_text(text: str, *, name: str = "<schedule>") -> dict[int, YearSchedule]:
    """Like :func:`load_schedule`, from the file's text; ``name`` is used in messages."""
    try:
        root = yaml.compose(text, Loader=yaml.BaseLoader)  # every scalar stays a string
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise ScheduleFileError([f"{where}: not valid YAML: {exc}"]) from exc
    reader = _Reader(name)
    years = reader.document(root)
    if reader.problems:
        raise ScheduleFileError(reader.problems)
    return years


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[str] = []

    def problem(self, node: yaml.Node, field: str, message: str) -> None:
        self.problems.append(f"{self.name}:{node.start_mark.line + 1}: {field}: {message}")

    def document(self, root: yaml.Node | None) -> dict[int, YearSchedule]:
        if root is None:
            return {}
        if not isinstance(root, yaml.MappingNode):
            self.problem(root, "(root)", "expected a mapping of years, e.g. 2027: {holidays: …}")
            return {}
        years: dict[int, YearSchedule] = {}
        for key, value in root.value:
            text = str(key.value)
            if not (text.isdigit() and len(text) == 4):
                self.problem(key, text, "a year is four digits, e.g. 2027")
                continue
            year = int(text)
            if year in years:
                self.problem(key, text, "this year is listed twice")
                continue
            schedule = self.year(year, value)
            if schedule is not None:
                years[year] = schedule
        return years

    def year(self, year: int, node: yaml.Node) -> YearSchedule | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, str(year), "expected source, holidays and workdays")
            return None
        before = len(self.problems)
        fields: dict[str, yaml.Node] = {}
        for key, value in node.value:
            field = str(key.value)
            if field not in _FIELDS:
                self.problem(key, f"{year}.{field}", f"unknown field; use {', '.join(_FIELDS)}")
            elif field in fields:
                self.problem(key, f"{year}.{field}", "this field is given twice")
            else:
                fields[field] = value
        source = ""
        if "source" in fields:
            if isinstance(fields["source"], yaml.ScalarNode):
                source = str(fields["source"].value)
            else:
                self.problem(fields["source"], f"{year}.source", "expected text")
        holidays = self.days(year, "holidays", fields.get("holidays"))
        workdays = self.days(year, "workdays", fields.get("workdays"))
        for day, node_of in sorted(workdays.items()):
            if day.weekday() < 5:
                self.problem(
                    node_of,
                    f"{year}.workdays",
                    f"{day} is a {day:%A}, a working day already; list only weekend days worked",
                )
            if day in holidays:
                self.problem(node_of, f"{year}.workdays", f"{day} is also listed as a holiday")
        if len(self.problems) > before:
            return None
        return YearSchedule(year, frozenset(holidays), frozenset(workdays), source)

    def days(self, year: int, field: str, node: yaml.Node | None) -> dict[dt.date, yaml.Node]:
        """The days of a list of dates and ``first..last`` ranges, each with its node."""
        if node is None:
            return {}
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{year}.{field}", "expected a list of dates (YYYY-MM-DD)")
            return {}
        days: dict[dt.date, yaml.Node] = {}
        for i, item in enumerate(node.value):
            where = f"{year}.{field}[{i}]"
            if not isinstance(item, yaml.ScalarNode):
                self.problem(item, where, "expected a date (YYYY-MM-DD) or a range first..last")
                continue
            parts = str(item.value).split("..")
            try:
                ends = [dt.date.fromisoformat(p.strip()) for p in parts]
            except ValueError:
                ends = []
            if len(ends) not in (1, 2) or len(ends) != len(parts):
                self.problem(
                    item, where, f"“{item.value}” is not a date (YYYY-MM-DD) or a range first..last"
                )
                continue
            first, last = ends[0], ends[-1]
            if last < first:
                self.problem(item, where, f"the range ends before it starts: {item.value}")
                continue
            if first.year != year or last.year != year:
                self.problem(item, where, f"{item.value} is not in {year}")
                continue
            for n in range((last - first).days + 1):
                days.setdefault(first + dt.timedelta(days=n), item)
        return days
