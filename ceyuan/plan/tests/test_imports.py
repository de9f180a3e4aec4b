"""Importing sheets: all or nothing, every problem listed with its row and column."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from ceyuan.plan import imports
from ceyuan.plan.models import Observation, Plan, WorkPlanItem

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "indicator,year,value,qualifier,source\n"
    "core_industry_scale,2023,1800,exact,统计公报\n"
    'core_industry_scale,2024,"2,200",more_than,统计公报\n'
)
BAD_CSV = (
    "indicator,year,value,qualifier\n"
    "core_industry_scale,2023,1800,exact\n"
    "no_such_indicator,2024,5,exact\n"
    "core_industry_scale,twenty,5,exact\n"
    "core_industry_scale,2024,,exact\n"
    "core_industry_scale,2024,5,roughly\n"
)


def _xlsx(rows: list[list[Any]]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_good_csv_imports_every_row(plan: Plan, world: Any) -> None:
    rows = imports.read_sheet("figures.csv", GOOD_CSV.encode("utf-8-sig"))
    assert imports.observations_import(actor=world.coordinator, plan=plan, rows=rows) == 2
    assert sorted(Observation.objects.values_list("value", flat=True)) == [1800, 2200]


def test_bad_csv_lists_every_error_with_row_and_column_and_imports_nothing(
    plan: Plan, world: Any
) -> None:
    rows = imports.read_sheet("figures.csv", BAD_CSV.encode())
    with pytest.raises(imports.ImportRefused) as caught:
        imports.observations_import(actor=world.coordinator, plan=plan, rows=rows)
    where = {(e.row, e.column) for e in caught.value.errors}
    assert where == {(3, "indicator"), (4, "year"), (5, "value"), (6, "qualifier")}
    assert Observation.objects.count() == 0


def test_excel_work_plan_items_import_and_errors(plan: Plan, world: Any) -> None:
    header = [
        "code",
        "task",
        "owner_unit",
        "year",
        "milestone",
        "deadline",
        "status",
        "completed_on",
    ]
    good = _xlsx(
        [
            header,
            ["kjw-1", 6, "kjw", 2025, "平台上线", "2025-06-30", "planned", None],
            ["jxj-1", 4, "jxj", 2024, "芯片适配", "2024-12-31", "done", "2024-12-20"],
        ]
    )
    rows = imports.read_sheet("items.xlsx", good)
    assert imports.work_plan_items_import(actor=world.coordinator, plan=plan, rows=rows) == 2
    assert WorkPlanItem.objects.get(code="jxj-1").owner_unit == world.other_department
    bad = _xlsx(
        [
            header,
            ["kjw-2", 99, "kjw", 2025, "x", "2025-06-30", "planned", None],
            ["kjw-3", 6, "nowhere", 2025, "x", "30/06/2025", "planned", None],
            ["kjw-1", 6, "kjw", 2025, "x", "2025-06-30", "planned", None],
            ["kjw-4", 6, "kjw", 2031, "x", "2025-06-30", "done", None],
        ]
    )
    with pytest.raises(imports.ImportRefused) as caught:
        imports.work_plan_items_import(
            actor=world.coordinator, plan=plan, rows=imports.read_sheet("items.xlsx", bad)
        )
    where = {(e.row, e.column) for e in caught.value.errors}
    assert {(2, "task"), (3, "owner_unit"), (3, "deadline"), (4, "code")} <= where
    assert any(e.row == 5 for e in caught.value.errors)
    assert WorkPlanItem.objects.count() == 2


def test_missing_columns_and_wrong_format_are_reported(plan: Plan, world: Any) -> None:
    rows = imports.read_sheet("x.csv", b"indicator,value\ncore_industry_scale,1\n")
    with pytest.raises(imports.ImportRefused) as caught:
        imports.observations_import(actor=world.coordinator, plan=plan, rows=rows)
    assert [(e.row, e.column) for e in caught.value.errors] == [(1, "year")]
    with pytest.raises(imports.ImportRefused):
        imports.read_sheet("x.txt", b"")
    with pytest.raises(PermissionDenied):
        imports.observations_import(actor=world.officer, plan=plan, rows=rows)


def test_import_page_shows_errors(plan: Plan, world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    response = client.post(
        reverse("plan-import"),
        {"kind": "observations", "file": SimpleUploadedFile("bad.csv", BAD_CSV.encode())},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<li>") >= 4 and "indicator" in html
    assert Observation.objects.count() == 0
