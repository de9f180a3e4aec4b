"""Import observations and work-plan items from CSV or Excel, all or nothing.

A sheet's first row names the columns (English names below, case-insensitive; Chinese
headers are accepted too). Every row is validated; when any row has a problem, nothing is
written and every problem is reported with its row number (as the spreadsheet shows it,
the header being row 1) and column. Rows are then written through the services inside one
transaction, so a rule only a service knows (permissions, uniqueness) also rolls all back.

Observations: ``indicator`` (code), ``year``, ``value``, ``qualifier`` (default exact),
``lower``, ``upper``, ``source``.
Work-plan items: ``code``, ``task`` (number), ``owner_unit`` (organisation code), ``year``,
``milestone``, ``deadline`` (YYYY-MM-DD), ``status`` (default planned), ``completed_on``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ceyuan.accounts.models import Organisation

from . import permissions, services
from .models import Indicator, Plan, Task, WorkPlanItem

HEADER_ALIASES = {
    "指标": "indicator",
    "年份": "year",
    "数值": "value",
    "限定": "qualifier",
    "下限": "lower",
    "上限": "upper",
    "来源": "source",
    "编号": "code",
    "任务": "task",
    "责任单位": "owner_unit",
    "节点": "milestone",
    "截止日期": "deadline",
    "状态": "status",
    "完成日期": "completed_on",
}
OBSERVATION_COLUMNS = ("indicator", "year", "value", "qualifier", "lower", "upper", "source")
ITEM_COLUMNS = (
    "code",
    "task",
    "owner_unit",
    "year",
    "milestone",
    "deadline",
    "status",
    "completed_on",
)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column or "—",
            "message": self.message,
        }


class ImportRefused(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


Row = tuple[int, dict[str, Any]]


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_sheet(name: str, data: bytes) -> list[Row]:
    """Rows of a CSV (UTF-8) or Excel (.xlsx) file as ``(row number, {column: value})``."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ImportRefused([RowError(0, "", _("Not a readable Excel file."))]) from exc
        raw_rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    elif lower.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRefused([RowError(0, "", _("The CSV file is not UTF-8."))]) from exc
        raw_rows = [list(r) for r in csv.reader(io.StringIO(text))]
    else:
        raise ImportRefused([RowError(0, "", _("Upload a .csv or .xlsx file."))])
    if not raw_rows:
        raise ImportRefused([RowError(1, "", _("The sheet is empty."))])
    header = [
        HEADER_ALIASES.get(str(h).strip(), str(h).strip().lower()) if h is not None else ""
        for h in raw_rows[0]
    ]
    rows = []
    for n, raw in enumerate(raw_rows[1:], start=2):
        values = {header[i]: _cell(v) for i, v in enumerate(raw) if i < len(header) and header[i]}
        if any(v is not None for v in values.values()):
            rows.append((n, values))
    return rows


def _check_columns(rows: list[Row], required: tuple[str, ...]) -> None:
    present = set().union(*(r.keys() for _n, r in rows)) if rows else set()
    missing = [c for c in required if c not in present]
    if missing:
        raise ImportRefused([RowError(1, c, _("This column is missing.")) for c in missing])
    if not rows:
        raise ImportRefused([RowError(2, "", _("The sheet has no data rows."))])


def _number(
    row: int, column: str, raw: Any, errors: list[RowError], required: bool = False
) -> float | None:
    if raw is None:
        if required:
            errors.append(RowError(row, column, _("A value is required.")))
        return None
    try:
        return float(str(raw).replace(",", ""))
    except ValueError:
        errors.append(RowError(row, column, _("'%(raw)s' is not a number.") % {"raw": raw}))
        return None


def _integer(row: int, column: str, raw: Any, errors: list[RowError]) -> int | None:
    value = _number(row, column, raw, errors, required=True)
    if value is None:
        return None
    if value != int(value):
        errors.append(RowError(row, column, _("'%(raw)s' is not a whole number.") % {"raw": raw}))
        return None
    return int(value)


def _date(
    row: int, column: str, raw: Any, errors: list[RowError], required: bool
) -> dt.date | None:
    if raw is None:
        if required:
            errors.append(RowError(row, column, _("A date is required.")))
        return None
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        errors.append(
            RowError(row, column, _("'%(raw)s' is not a date (YYYY-MM-DD).") % {"raw": raw})
        )
        return None


def _write_all(rows: list[tuple[int, dict[str, Any]]], write: Any) -> int:
    errors: list[RowError] = []
    with transaction.atomic():
        for n, kwargs in rows:
            try:
                write(**kwargs)
            except ValidationError as exc:
                detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                for field, messages in detail.items():
                    errors.extend(RowError(n, field, m) for m in messages)
            except PermissionDenied as exc:
                errors.append(RowError(n, "", str(exc)))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ImportRefused(errors)
    return len(rows)


def observations_import(*, actor: Any, plan: Plan, rows: list[Row]) -> int:
    """Validate every row, then record all the figures, or none."""
    if not permissions.can_manage_plan(actor):
        raise PermissionDenied(_("Only coordinators import sheets."))
    _check_columns(rows, ("indicator", "year", "value"))
    indicators = {i.code: i for i in Indicator.objects.filter(plan=plan).select_related("plan")}
    errors: list[RowError] = []
    ready = []
    for n, r in rows:
        before = len(errors)
        indicator = indicators.get(str(r.get("indicator") or ""))
        if indicator is None:
            errors.append(
                RowError(
                    n,
                    "indicator",
                    _("Unknown indicator '%(code)s'.") % {"code": r.get("indicator")},
                )
            )
        year = _integer(n, "year", r.get("year"), errors)
        value = _number(n, "value", r.get("value"), errors)
        lower = _number(n, "lower", r.get("lower"), errors)
        upper = _number(n, "upper", r.get("upper"), errors)
        qualifier = str(r.get("qualifier") or "exact")
        if indicator is not None and year is not None and len(errors) == before:
            problems = services.observation_check(
                indicator=indicator,
                period_year=year,
                value=value,
                qualifier=qualifier,
                lower=lower,
                upper=upper,
            )
            errors.extend(RowError(n, _column(field), msg) for field, msg in problems.items())
        if len(errors) == before:
            ready.append(
                (
                    n,
                    {
                        "actor": actor,
                        "indicator": indicator,
                        "period_year": year,
                        "value": value,
                        "qualifier": qualifier,
                        "lower": lower,
                        "upper": upper,
                        "source": str(r.get("source") or ""),
                    },
                )
            )
    if errors:
        raise ImportRefused(errors)
    return _write_all(ready, services.observation_create)


def _column(field: str) -> str:
    return {"period_year": "year", "milestone_text": "milestone"}.get(field, field)


def work_plan_items_import(*, actor: Any, plan: Plan, rows: list[Row]) -> int:
    if not permissions.can_manage_plan(actor):
        raise PermissionDenied(_("Only coordinators import sheets."))
    _check_columns(rows, ("code", "task", "owner_unit", "year", "milestone", "deadline"))
    tasks = {t.number: t for t in Task.objects.filter(plan=plan).select_related("plan")}
    units = {o.code: o for o in Organisation.objects.filter(is_active=True)}
    errors: list[RowError] = []
    ready = []
    seen: dict[str, int] = {}
    for n, r in rows:
        before = len(errors)
        code = str(r.get("code") or "")
        if not code:
            errors.append(RowError(n, "code", _("A value is required.")))
        elif code in seen:
            errors.append(
                RowError(n, "code", _("The code repeats row %(row)s.") % {"row": seen[code]})
            )
        elif WorkPlanItem.objects.filter(plan=plan, code=code).exists():
            errors.append(RowError(n, "code", _("Another work-plan item has this code.")))
        seen.setdefault(code, n)
        number = _integer(n, "task", r.get("task"), errors)
        task = tasks.get(number) if number is not None else None
        if number is not None and task is None:
            errors.append(
                RowError(n, "task", _("There is no task %(number)s.") % {"number": number})
            )
        unit = units.get(str(r.get("owner_unit") or ""))
        if unit is None:
            errors.append(
                RowError(
                    n, "owner_unit", _("Unknown unit '%(code)s'.") % {"code": r.get("owner_unit")}
                )
            )
        year = _integer(n, "year", r.get("year"), errors)
        deadline = _date(n, "deadline", r.get("deadline"), errors, required=True)
        completed_on = _date(n, "completed_on", r.get("completed_on"), errors, required=False)
        status = str(r.get("status") or WorkPlanItem.Status.PLANNED)
        if status not in WorkPlanItem.Status.values:
            errors.append(
                RowError(n, "status", _("Unknown status '%(status)s'.") % {"status": status})
            )
        milestone = str(r.get("milestone") or "")
        if not milestone:
            errors.append(RowError(n, "milestone", _("A value is required.")))
        if len(errors) == before and year is not None and deadline is not None:
            try:
                services.work_plan_item_check(
                    WorkPlanItem(
                        plan=plan,
                        task=task,
                        owner_unit=unit,
                        code=code,
                        year=year,
                        milestone_text=milestone,
                        deadline=deadline,
                        status=status,
                        completed_on=completed_on,
                    )
                )
            except ValidationError as exc:
                detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                for field, messages in detail.items():
                    errors.extend(RowError(n, _column(field), m) for m in messages)
        if len(errors) == before:
            ready.append(
                (
                    n,
                    {
                        "actor": actor,
                        "task": task,
                        "owner_unit": unit,
                        "code": code,
                        "year": year,
                        "milestone_text": milestone,
                        "deadline": deadline,
                        "status": status,
                        "completed_on": completed_on,
                    },
                )
            )
    if errors:
        raise ImportRefused(errors)
    return _write_all(ready, _item_writer)


def _item_writer(**kwargs: Any) -> Any:
    try:
        return services.work_plan_item_create(**kwargs)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError({_column(k): v for k, v in exc.message_dict.items()}) from exc
        raise
