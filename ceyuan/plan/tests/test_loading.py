"""Loading plan files into the database: complete, idempotent, versioned, all-or-nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ceyuan.accounts.models import Organisation
from ceyuan.audit.models import AuditEntry
from ceyuan.plan.models import (
    GoalArea,
    Indicator,
    Measure,
    Milestone,
    Plan,
    Safeguard,
    Task,
)
from ceyuan.plan.services import SHIPPED_PLAN

pytestmark = pytest.mark.django_db

QUANTITATIVE = {
    "domestic_share",
    "domestic_hardware_share",
    "core_industry_scale",
    "core_industry_growth",
    "radiated_industry_scale",
    "enterprise_count_rank",
    "new_unicorns",
    "high_level_scholars",
    "high_level_scholars_rank",
}


def test_loaded_plan_is_complete_against_the_seed(plan: Plan) -> None:
    assert plan.code == "beijing-ai-2023-2025"
    assert (plan.period_start, plan.period_end) == (2023, 2025)
    assert GoalArea.objects.filter(plan=plan).count() == 5
    targets = Indicator.objects.filter(plan=plan, goal_area__isnull=False)
    assert set(targets.values_list("code", flat=True)) == QUANTITATIVE
    core = targets.get(code="core_industry_scale")
    assert (core.target_value, core.target_qualifier, core.target_year) == (3000, "at_least", 2025)
    assert core.unit_zh == "亿元"
    assert core.target_phrase_zh == "达到3000亿元"
    assert targets.get(code="new_unicorns").target_lower == 5
    assert Task.objects.filter(plan=plan).count() == 16
    assert sorted(Task.objects.values_list("number", flat=True)) == list(range(1, 17))
    assert Safeguard.objects.filter(plan=plan).count() == 4
    assert Milestone.objects.filter(plan=plan).count() > 10
    task6 = Task.objects.get(plan=plan, number=6)
    assert task6.measures.count() >= 1
    assert Measure.objects.filter(safeguard__plan=plan).count() >= 4
    assert "人工智能" in plan.title_zh and plan.title_en.startswith("Beijing")


def test_reloading_the_same_version_changes_nothing(plan: Plan) -> None:
    entries = AuditEntry.objects.count()
    before = list(Indicator.objects.values().order_by("pk"))
    call_command("plan", "load", str(SHIPPED_PLAN), "--no-units")
    assert AuditEntry.objects.count() == entries
    assert list(Indicator.objects.values().order_by("pk")) == before


def test_a_new_version_updates_texts_in_place(plan: Plan, tmp_path: Path) -> None:
    text = SHIPPED_PLAN.read_text(encoding="utf-8")
    text = text.replace("  version: 1\n", "  version: 2\n", 1)
    text = text.replace("en: AI core industry scale", "en: Core AI industry size", 1)
    newer = tmp_path / "plan-v2.yaml"
    newer.write_text(text, encoding="utf-8")
    core_id = Indicator.objects.get(code="core_industry_scale").pk
    call_command("plan", "load", str(newer), "--no-units")
    core = Indicator.objects.get(code="core_industry_scale")
    assert core.pk == core_id
    assert core.name_en == "Core AI industry size"
    assert Plan.objects.get().version == 2
    assert AuditEntry.objects.filter(action="plan.load.updated").count() == 1


def test_malformed_plan_file_is_refused_with_every_error_and_nothing_written(
    db: Any, tmp_path: Path, capsys: Any
) -> None:
    text = SHIPPED_PLAN.read_text(encoding="utf-8")
    text = text.replace("      value: 3000\n", "      value: lots\n", 1)
    text = text.replace("    direction: increase\n", "    direction: sideways\n", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="2 problem"):
        call_command("plan", "load", str(bad))
    err = capsys.readouterr().err
    assert "bad.yaml:" in err
    assert "goal_areas[2].indicators[0].target.value" in err
    assert "'lots'" in err
    assert "goal_areas[1].indicators[0].direction" in err
    assert Plan.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_setup_step_loads_plan_and_units_once(db: Any) -> None:
    from io import StringIO

    from ceyuan.plan.setup import load_shipped_plan

    out = StringIO()
    load_shipped_plan(out)
    load_shipped_plan(out)
    assert "created" in out.getvalue() and "unchanged" in out.getvalue()
    assert Plan.objects.count() == 1
    kjw = Organisation.objects.get(code="kjw")
    assert kjw.name_zh == "市科委、中关村管委会"
    assert Organisation.objects.get(code="haidian").kind == "district"
    assert Organisation.objects.filter(code="chaoyang").exists()
    # No lead/cooperating assignment is invented.
    from ceyuan.plan.models import Assignment

    assert Assignment.objects.count() == 0
