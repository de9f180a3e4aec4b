"""The shipped plan file: complete against the seed text, clean Simplified Chinese, bilingual;
and the loader: refuses malformed files with precise, located errors."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from ceyuan.plan.engine.planfile import (
    DEFAULT_PLAN_PATH,
    PlanDoc,
    PlanFileError,
    load_plan,
    load_plan_text,
)
from ceyuan.plan.engine.quantities import Direction, Qualifier

REPO_ROOT = Path(__file__).resolve().parents[4]
SEED = REPO_ROOT.parent / "shared" / "seed" / "000_c99deac5647be6fa.txt"

# Traditional forms (and OpenCC slips) that must never appear in the Simplified text.
TRADITIONAL = set(
    "傢國佈並佔為與產業發這個們來時會對後說學區數據網進實現開關應質體務資處統標準經濟營環眾動"
)
FULLWIDTH = str.maketrans({",": "，", ":": "：", "(": "（", ")": "）", ";": "；"})


@pytest.fixture(scope="module")
def plan() -> PlanDoc:
    return load_plan(DEFAULT_PLAN_PATH)


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    """The seed converted to Simplified Chinese the documented way (docs/plan-engine.md)."""
    if not SEED.exists():
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"shared seed text {SEED} is required under CI")
        pytest.skip("shared seed text not available")
    opencc = pytest.importorskip("opencc")
    text = opencc.OpenCC("t2s").convert(SEED.read_text(encoding="utf-8"))
    text = text.replace("著力", "着力").translate(FULLWIDTH)
    return text.splitlines()


# -- the shipped file ----------------------------------------------------------------------------


def test_shipped_plan_has_five_goal_areas_sixteen_tasks_in_five_groups_four_safeguards(
    plan: PlanDoc,
) -> None:
    assert plan.plan.code == "beijing-ai-2023-2025"
    assert (plan.plan.period_start, plan.plan.period_end) == (2023, 2025)
    assert plan.plan.issuer.zh == "北京市人民政府"
    assert [a.number for a in plan.goal_areas] == [1, 2, 3, 4, 5]
    assert [g.number for g in plan.task_groups] == [1, 2, 3, 4, 5]
    assert [len(g.tasks) for g in plan.task_groups] == [3, 4, 3, 2, 4]
    assert [t.number for t in plan.tasks] == list(range(1, 17))
    assert [s.title.zh for s in plan.safeguards] == [
        "加强组织领导",
        "推进机制创新",
        "强化政策支撑",
        "全面统筹实施",
    ]
    assert plan.principles.zh.startswith("坚持以习近平新时代中国特色社会主义思想为指导")
    assert all(t.measures for t in plan.tasks)


def test_every_quantitative_target_is_an_indicator_with_its_figure(plan: PlanDoc) -> None:
    core = plan.indicator("core_industry_scale")
    assert (core.target.value, core.target.qualifier, core.target.year) == (
        3000,
        Qualifier.AT_LEAST,
        2025,
    )
    assert core.unit.zh == "亿元"
    growth = plan.indicator("core_industry_growth")
    assert (growth.target.value, growth.target.qualifier, growth.target.sustained) == (
        10,
        Qualifier.AT_LEAST,
        True,
    )
    radiated = plan.indicator("radiated_industry_scale")
    assert (radiated.target.value, radiated.target.qualifier) == (10000, Qualifier.MORE_THAN)
    assert radiated.unit.zh == core.unit.zh  # 1万亿元 stored as 10000亿元, comparable
    unicorns = plan.indicator("new_unicorns")
    assert (unicorns.target.qualifier, unicorns.target.lower, unicorns.target.upper) == (
        Qualifier.RANGE,
        5,
        10,
    )
    scholars = plan.indicator("high_level_scholars")
    assert (scholars.target.value, scholars.target.qualifier) == (10000, Qualifier.MORE_THAN)
    assert plan.indicator("high_level_scholars_rank").direction is Direction.DECREASE
    share = plan.indicator("domestic_share")
    assert share.target.qualifier is Qualifier.SIGNIFICANT_INCREASE
    assert share.target.value is None


def test_every_figure_in_the_goal_areas_is_covered_by_an_indicator(plan: PlanDoc) -> None:
    for area in plan.goal_areas:
        quotes = [i.quote for i in area.indicators]
        for match in re.finditer(r"\d+(?:[-.]\d+)?", area.text.zh):
            assert any(match.group() in q for q in quotes), (area.code, match.group())
        for q in quotes:
            assert q in area.text.zh


def test_qualitative_targets_are_milestones_due_by_the_end_of_the_period(plan: PlanDoc) -> None:
    assert all(area.milestones for area in plan.goal_areas)
    for ms in plan.milestones:
        assert ms.due.year == 2025
        area = next(a for a in plan.goal_areas if a.code == ms.goal_area)
        assert ms.text.zh in area.text.zh


def test_text_is_the_seed_text_in_simplified_chinese(plan: PlanDoc, seed_lines: list[str]) -> None:
    lines = seed_lines
    assert plan.plan.title.zh == lines[1]
    assert plan.preamble is not None and plan.preamble.zh == lines[2]
    assert plan.principles.zh == lines[4]
    assert plan.overall_goal.zh == lines[6]
    for area in plan.goal_areas:
        head = lines.index(f"（{'一二三四五'[area.number - 1]}）{area.title.zh}")
        assert area.text.zh == lines[head + 1]
    for task in plan.tasks:
        body = task.title.zh + "。" + "".join(m.text.zh for m in task.measures)
        assert f"{task.number}.{body}" in lines
    for group in plan.task_groups:
        assert f"（{'一二三四五'[group.number - 1]}）{group.title.zh}" in lines
    start = lines.index("四、保障措施")
    for sg in plan.safeguards:
        head = lines.index(f"（{'一二三四'[sg.number - 1]}）{sg.title.zh}", start)
        assert "".join(m.text.zh for m in sg.measures) == lines[head + 1]


def test_no_traditional_characters_or_conversion_errors_remain(plan: PlanDoc) -> None:
    for path, text in plan.texts():
        bad = TRADITIONAL & set(text.zh)
        assert not bad, (path, bad)
        assert "著力" not in text.zh, path
        assert not re.search(r"[,:;()]", text.zh), (path, "half-width punctuation")


def test_opencc_finds_nothing_left_to_simplify(plan: PlanDoc) -> None:
    opencc = pytest.importorskip("opencc")
    t2s = opencc.OpenCC("t2s")
    for path, text in plan.texts():
        assert t2s.convert(text.zh) == text.zh, path


def test_every_chinese_text_has_an_english_translation(plan: PlanDoc) -> None:
    for path, text in plan.texts():
        assert text.en.strip(), path
        assert not re.search(r"[\u4e00-\u9fff]", text.en), (path, "Chinese left in the English")
    for task in plan.tasks:
        for ref in task.indicators:
            plan.indicator(ref)


# -- the loader refuses malformed files ----------------------------------------------------------


@pytest.fixture(scope="module")
def shipped_text() -> str:
    return DEFAULT_PLAN_PATH.read_text(encoding="utf-8")


def line_of(text: str, needle: str, *, after: str | None = None) -> int:
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def test_wrong_type_is_reported_with_json_path_and_line(shipped_text: str) -> None:
    bad = shipped_text.replace("      value: 3000\n", "      value: lots\n")
    with pytest.raises(PlanFileError) as exc:
        load_plan_text(bad, name="bad.yaml")
    (err,) = exc.value.errors
    assert err.path == "goal_areas[2].indicators[0].target.value"
    assert err.line == line_of(bad, "value: lots")
    assert err.file == "bad.yaml"
    assert "bad.yaml:" in str(exc.value)


def test_semantic_errors_are_all_reported_at_once(shipped_text: str) -> None:
    bad = (
        shipped_text.replace("code: radiated_industry_scale", "code: core_industry_scale")
        .replace(
            "      year: 2025\n      value: 10000\n", "      year: 2030\n      value: 10000\n", 1
        )
        .replace("      lower: 5\n      upper: 10\n", "      lower: 12\n      upper: 10\n")
        .replace("  - new_unicorns\n", "  - no_such_indicator\n")
    )
    with pytest.raises(PlanFileError) as exc:
        load_plan_text(bad, name="bad.yaml")
    by_path = {e.path: e for e in exc.value.errors}
    assert "duplicate indicator code" in by_path["goal_areas[2].indicators[2].code"].message
    assert "outside the plan period" in by_path["goal_areas[2].indicators[2].target.year"].message
    assert "exceeds" in by_path["goal_areas[2].indicators[4].target.lower"].message
    unknown = [e for e in exc.value.errors if "no_such_indicator" in e.message]
    assert unknown and unknown[0].path.startswith("task_groups[2].tasks[1].indicators[")
    assert by_path["goal_areas[2].indicators[4].target.lower"].line == line_of(bad, "lower: 12")


def test_qualifier_inconsistent_with_bounds_or_direction_is_refused(shipped_text: str) -> None:
    bad = shipped_text.replace(
        "      value: 3000\n      qualifier: at_least\n",
        "      value: 3000\n      upper: 2000\n      qualifier: at_most\n",
    )
    with pytest.raises(PlanFileError) as exc:
        load_plan_text(bad)
    messages = {e.path: e.message for e in exc.value.errors}
    assert (
        "contradicts direction increase" in messages["goal_areas[2].indicators[0].target.qualifier"]
    )
    assert "inconsistent" in messages["goal_areas[2].indicators[0].target.upper"]


def test_missing_translation_and_unknown_field_are_refused(shipped_text: str) -> None:
    bad = shipped_text.replace(
        "    en: Beijing Municipal People's Government\n", "    eng: Beijing government\n"
    )
    with pytest.raises(PlanFileError) as exc:
        load_plan_text(bad)
    paths = {e.path for e in exc.value.errors}
    assert paths == {"plan.issuer"}
    assert any("'en' is a required property" in e.message for e in exc.value.errors)
    assert any("unknown field" in e.message for e in exc.value.errors)


def test_duplicate_keys_and_broken_yaml_are_refused_with_lines(shipped_text: str) -> None:
    dup = shipped_text.replace("  version: 1\n", "  version: 1\n  version: 2\n", 1)
    with pytest.raises(PlanFileError) as exc:
        load_plan_text(dup)
    assert [(e.path, e.line, e.message) for e in exc.value.errors] == [
        ("plan.version", line_of(dup, "version: 2"), "duplicate key")
    ]
    with pytest.raises(PlanFileError) as exc:
        load_plan_text("plan: [unclosed\n", name="x.yaml")
    assert exc.value.errors[0].line is not None


def test_unreadable_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PlanFileError) as exc:
        load_plan(tmp_path / "missing.yaml")
    assert "cannot read file" in exc.value.errors[0].message


def test_plan_round_trips_through_a_copy_on_disk(tmp_path: Path, shipped_text: str) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(shipped_text, encoding="utf-8")
    assert load_plan(copy) == load_plan(DEFAULT_PLAN_PATH)
