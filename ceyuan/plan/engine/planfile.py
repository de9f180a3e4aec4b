"""Load a plan file (YAML, see ``ceyuan/plan/data/plan.schema.json``) into frozen dataclasses.

Responsibility: turn a file into a :class:`PlanDoc` or refuse it whole. Nothing is returned
half-checked: the file is validated against the JSON Schema, then against the semantic rules the
schema cannot express, and every problem found is reported at once in a :class:`PlanFileError`,
each with the file, the JSON path (``goal_areas[2].indicators[0].target.value``) and the line.

Semantic rules (general to any plan, so nothing here knows that the Beijing plan has 16 tasks):

* codes are unique: goal areas, task groups, safeguards among themselves; indicators, milestones
  and tasks across the whole plan; numbers are unique within their list (tasks: plan-wide);
* the period runs forwards; target years and milestone due dates fall within it; a baseline comes
  before its target year and has both a value and a year or neither;
* a target's figures fit its qualifier and direction (see :meth:`Target.check`);
* an indicator's ``quote`` occurs in its goal area's Chinese text; tasks name existing indicators;
* no mapping repeats a key (YAML would silently keep the last one).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ceyuan.plan.engine.quantities import Baseline, Direction, Qualifier, Target

__all__ = [
    "DEFAULT_PLAN_PATH",
    "SCHEMA_PATH",
    "GoalArea",
    "Indicator",
    "Measure",
    "Milestone",
    "PlanDoc",
    "PlanFileError",
    "PlanIssue",
    "PlanMeta",
    "Safeguard",
    "Task",
    "TaskGroup",
    "Text",
    "load_plan",
    "load_plan_text",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SCHEMA_PATH = DATA_DIR / "plan.schema.json"
DEFAULT_PLAN_PATH = DATA_DIR / "beijing-ai-2023-2025.yaml"

PathPart = str | int


# ---------------------------------------------------------------------------------------------
# Result types


@dataclass(frozen=True, slots=True)
class Text:
    """A text in the official language (``zh``, Simplified Chinese) and in English."""

    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class PlanMeta:
    code: str
    version: int
    language: str
    title: Text
    issuer: Text
    region: Text | None
    period_start: int
    period_end: int
    source: Text | None


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    goal_area: str
    name: Text
    unit: Text
    direction: Direction
    kind: str
    baseline: Baseline | None
    baseline_source: Text | None
    target: Target
    target_phrase: Text
    quote: str
    definition: Text
    data_source: Text | None

    @property
    def target_value(self) -> float | None:
        """The glossary's ``target_value``: the target figure (``None`` for ranges and
        "significant" targets; see ``target.lower``/``target.upper``)."""
        return self.target.value


@dataclass(frozen=True, slots=True)
class Milestone:
    code: str
    goal_area: str
    text: Text
    due: dt.date


@dataclass(frozen=True, slots=True)
class GoalArea:
    number: int
    code: str
    title: Text
    text: Text
    indicators: tuple[Indicator, ...]
    milestones: tuple[Milestone, ...]


@dataclass(frozen=True, slots=True)
class Measure:
    """One sentence or point of a task or safeguard, numbered from 1 within its parent."""

    number: int
    text: Text


@dataclass(frozen=True, slots=True)
class Task:
    number: int
    code: str
    group: str
    title: Text
    measures: tuple[Measure, ...]
    indicators: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TaskGroup:
    number: int
    code: str
    title: Text
    tasks: tuple[Task, ...]


@dataclass(frozen=True, slots=True)
class Safeguard:
    number: int
    code: str
    title: Text
    measures: tuple[Measure, ...]


@dataclass(frozen=True, slots=True)
class PlanDoc:
    schema_version: int
    plan: PlanMeta
    preamble: Text | None
    principles: Text
    overall_goal: Text
    goal_areas: tuple[GoalArea, ...]
    task_groups: tuple[TaskGroup, ...]
    safeguards: tuple[Safeguard, ...]

    @property
    def tasks(self) -> tuple[Task, ...]:
        return tuple(t for g in self.task_groups for t in g.tasks)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for a in self.goal_areas for i in a.indicators)

    @property
    def milestones(self) -> tuple[Milestone, ...]:
        return tuple(m for a in self.goal_areas for m in a.milestones)

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)

    def task(self, number: int) -> Task:
        for task in self.tasks:
            if task.number == number:
                return task
        raise KeyError(number)

    def texts(self) -> Iterator[tuple[str, Text]]:
        """Every bilingual text with its JSON path, for checks and search indexing."""
        yield "plan.title", self.plan.title
        yield "plan.issuer", self.plan.issuer
        if self.preamble is not None:
            yield "preamble", self.preamble
        yield "principles", self.principles
        yield "overall_goal", self.overall_goal
        for a, area in enumerate(self.goal_areas):
            yield f"goal_areas[{a}].title", area.title
            yield f"goal_areas[{a}].text", area.text
            for i, ind in enumerate(area.indicators):
                p = f"goal_areas[{a}].indicators[{i}]"
                yield f"{p}.name", ind.name
                yield f"{p}.unit", ind.unit
                yield f"{p}.target.phrase", ind.target_phrase
                yield f"{p}.definition", ind.definition
            for m, ms in enumerate(area.milestones):
                yield f"goal_areas[{a}].milestones[{m}].text", ms.text
        for g, group in enumerate(self.task_groups):
            yield f"task_groups[{g}].title", group.title
            for t, task in enumerate(group.tasks):
                yield f"task_groups[{g}].tasks[{t}].title", task.title
                for m, measure in enumerate(task.measures):
                    yield f"task_groups[{g}].tasks[{t}].measures[{m}]", measure.text
        for s, sg in enumerate(self.safeguards):
            yield f"safeguards[{s}].title", sg.title
            for m, measure in enumerate(sg.measures):
                yield f"safeguards[{s}].measures[{m}]", measure.text


# ---------------------------------------------------------------------------------------------
# Errors


@dataclass(frozen=True, slots=True)
class PlanIssue:
    file: str
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path or '(root)'}: {self.message}"


class PlanFileError(Exception):
    """The plan file was refused; ``errors`` lists every problem found."""

    def __init__(self, errors: Sequence[PlanIssue]) -> None:
        self.errors: tuple[PlanIssue, ...] = tuple(errors)
        lines = "\n".join(f"  {e}" for e in self.errors)
        super().__init__(f"invalid plan file ({len(self.errors)} problem(s)):\n{lines}")


def format_path(parts: Sequence[PathPart]) -> str:
    """``("goal_areas", 2, "target")`` → ``goal_areas[2].target``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# ---------------------------------------------------------------------------------------------
# YAML with line marks


class _Located:
    """Line numbers (1-based) of every node of a composed YAML document, by JSON path."""

    def __init__(self) -> None:
        self.lines: dict[tuple[PathPart, ...], int] = {}
        self.duplicates: list[tuple[tuple[PathPart, ...], int]] = []

    def walk(self, node: yaml.Node, path: tuple[PathPart, ...]) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in seen:
                    self.duplicates.append(((*path, key), key_node.start_mark.line + 1))
                seen.add(key)
                self.walk(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.walk(item, (*path, i))

    def line(self, path: Sequence[PathPart]) -> int | None:
        parts = tuple(path)
        while parts not in self.lines and parts:
            parts = parts[:-1]
        return self.lines.get(parts)


class _PlanLoader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay strings, so the schema sees them."""


_PlanLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_schema(schema_path: Path) -> dict[str, Any]:
    with schema_path.open(encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


# ---------------------------------------------------------------------------------------------
# Public API


def load_plan(path: str | Path, *, schema_path: Path = SCHEMA_PATH) -> PlanDoc:
    """Read, validate and build the plan at ``path``; raise :class:`PlanFileError` if invalid."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError([PlanIssue(str(path), "", None, f"cannot read file: {exc}")]) from exc
    return load_plan_text(text, name=str(path), schema_path=schema_path)


def load_plan_text(text: str, *, name: str = "<plan>", schema_path: Path = SCHEMA_PATH) -> PlanDoc:
    """Like :func:`load_plan`, from the text of a plan file; ``name`` is used in errors."""
    try:
        root = yaml.compose(text, Loader=_PlanLoader)
        data = yaml.load(text, Loader=_PlanLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise PlanFileError([PlanIssue(name, "", line, f"not valid YAML: {exc}")]) from exc
    located = _Located()
    if root is not None:
        located.walk(root, ())

    issues: list[PlanIssue] = []

    def add(parts: Sequence[PathPart], message: str) -> None:
        issues.append(PlanIssue(name, format_path(parts), located.line(parts), message))

    for dup_path, dup_line in located.duplicates:
        issues.append(PlanIssue(name, format_path(dup_path), dup_line, "duplicate key"))

    validator = jsonschema.Draft202012Validator(_load_schema(schema_path))
    schema_errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
    for err in schema_errors:
        add(list(err.absolute_path), _schema_message(err))
    if issues:
        raise PlanFileError(issues)

    _check_semantics(data, add)
    if issues:
        raise PlanFileError(issues)
    return _build(data)


def _schema_message(err: jsonschema.ValidationError) -> str:
    if err.validator == "additionalProperties":
        return f"unknown field: {err.message}"
    return str(err.message)


# ---------------------------------------------------------------------------------------------
# Semantic rules


def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _target_of(raw: Mapping[str, Any]) -> Target:
    return Target(
        year=raw["year"],
        qualifier=Qualifier(raw["qualifier"]),
        value=raw.get("value"),
        lower=raw.get("lower"),
        upper=raw.get("upper"),
        sustained=bool(raw.get("sustained", False)),
    )


class _Unique:
    def __init__(self, add: Any, what: str) -> None:
        self.add = add
        self.what = what
        self.seen: dict[Any, str] = {}

    def check(self, value: Any, parts: Sequence[PathPart]) -> None:
        if value in self.seen:
            self.add(parts, f"duplicate {self.what} {value!r} (first used at {self.seen[value]})")
        else:
            self.seen[value] = format_path(parts)


def _check_semantics(data: Mapping[str, Any], add: Any) -> None:
    start, end = data["plan"]["period"]["start"], data["plan"]["period"]["end"]
    if start > end:
        add(["plan", "period", "end"], f"period ends ({end}) before it starts ({start})")

    area_codes = _Unique(add, "goal area code")
    area_numbers = _Unique(add, "goal area number")
    indicator_codes = _Unique(add, "indicator code")
    milestone_codes = _Unique(add, "milestone code")
    for a, area in enumerate(data["goal_areas"]):
        base: list[PathPart] = ["goal_areas", a]
        area_codes.check(area["code"], [*base, "code"])
        area_numbers.check(area["number"], [*base, "number"])
        for i, ind in enumerate(area["indicators"]):
            ip = [*base, "indicators", i]
            indicator_codes.check(ind["code"], [*ip, "code"])
            _check_indicator(ind, ip, start, end, area["text"]["zh"], add)
        for m, ms in enumerate(area["milestones"]):
            mp = [*base, "milestones", m]
            milestone_codes.check(ms["code"], [*mp, "code"])
            due = _parse_date(ms["due"])
            if due is None:
                add([*mp, "due"], f"{ms['due']!r} is not a calendar date (YYYY-MM-DD)")
            elif not start <= due.year <= end:
                add([*mp, "due"], f"due date {due} falls outside the plan period {start}-{end}")

    group_codes = _Unique(add, "task group code")
    group_numbers = _Unique(add, "task group number")
    task_codes = _Unique(add, "task code")
    task_numbers = _Unique(add, "task number")
    for g, group in enumerate(data["task_groups"]):
        gp: list[PathPart] = ["task_groups", g]
        group_codes.check(group["code"], [*gp, "code"])
        group_numbers.check(group["number"], [*gp, "number"])
        for t, task in enumerate(group["tasks"]):
            tp = [*gp, "tasks", t]
            task_codes.check(task["code"], [*tp, "code"])
            task_numbers.check(task["number"], [*tp, "number"])
            for k, ref in enumerate(task.get("indicators", [])):
                if ref not in indicator_codes.seen:
                    add([*tp, "indicators", k], f"unknown indicator {ref!r}")

    sg_codes = _Unique(add, "safeguard code")
    sg_numbers = _Unique(add, "safeguard number")
    for s, sg in enumerate(data["safeguards"]):
        sg_codes.check(sg["code"], ["safeguards", s, "code"])
        sg_numbers.check(sg["number"], ["safeguards", s, "number"])


def _check_indicator(
    ind: Mapping[str, Any], ip: list[PathPart], start: int, end: int, area_zh: str, add: Any
) -> None:
    target = ind["target"]
    tp = [*ip, "target"]
    if not start <= target["year"] <= end:
        add(
            [*tp, "year"],
            f"target year {target['year']} falls outside the plan period {start}-{end}",
        )
    direction = Direction(ind["direction"])
    for field, problem in _target_of(target).check(direction):
        add([*tp, field], problem)
    baseline = ind["baseline"]
    bp = [*ip, "baseline"]
    if (baseline["value"] is None) != (baseline["year"] is None):
        add(bp, "baseline needs both a value and a year, or neither")
    elif baseline["year"] is not None and baseline["year"] >= target["year"]:
        add(
            [*bp, "year"],
            f"baseline year {baseline['year']} is not before target year {target['year']}",
        )
    if ind["quote"] not in area_zh:
        add([*ip, "quote"], "quote does not occur in the goal area's Chinese text")


# ---------------------------------------------------------------------------------------------
# Building


def _text(raw: Mapping[str, Any] | None) -> Text | None:
    return None if raw is None else Text(zh=raw["zh"], en=raw["en"])


def _req_text(raw: Mapping[str, Any]) -> Text:
    return Text(zh=raw["zh"], en=raw["en"])


def _measures(raw: Sequence[Mapping[str, Any]]) -> tuple[Measure, ...]:
    return tuple(Measure(number=n, text=_req_text(m)) for n, m in enumerate(raw, start=1))


def _build(data: Mapping[str, Any]) -> PlanDoc:
    meta = data["plan"]
    areas: list[GoalArea] = []
    for area in data["goal_areas"]:
        indicators = []
        for ind in area["indicators"]:
            bl = ind["baseline"]
            baseline = None if bl["value"] is None else Baseline(value=bl["value"], year=bl["year"])
            indicators.append(
                Indicator(
                    code=ind["code"],
                    goal_area=area["code"],
                    name=_req_text(ind["name"]),
                    unit=_req_text(ind["unit"]),
                    direction=Direction(ind["direction"]),
                    kind=ind["kind"],
                    baseline=baseline,
                    baseline_source=_text(bl.get("source")),
                    target=_target_of(ind["target"]),
                    target_phrase=_req_text(ind["target"]["phrase"]),
                    quote=ind["quote"],
                    definition=_req_text(ind["definition"]),
                    data_source=_text(ind.get("data_source")),
                )
            )
        milestones = tuple(
            Milestone(
                code=m["code"],
                goal_area=area["code"],
                text=_req_text(m["text"]),
                due=dt.date.fromisoformat(m["due"]),
            )
            for m in area["milestones"]
        )
        areas.append(
            GoalArea(
                number=area["number"],
                code=area["code"],
                title=_req_text(area["title"]),
                text=_req_text(area["text"]),
                indicators=tuple(indicators),
                milestones=milestones,
            )
        )
    groups = tuple(
        TaskGroup(
            number=g["number"],
            code=g["code"],
            title=_req_text(g["title"]),
            tasks=tuple(
                Task(
                    number=t["number"],
                    code=t["code"],
                    group=g["code"],
                    title=_req_text(t["title"]),
                    measures=_measures(t["measures"]),
                    indicators=tuple(t.get("indicators", ())),
                )
                for t in g["tasks"]
            ),
        )
        for g in data["task_groups"]
    )
    safeguards = tuple(
        Safeguard(
            number=s["number"],
            code=s["code"],
            title=_req_text(s["title"]),
            measures=_measures(s["measures"]),
        )
        for s in data["safeguards"]
    )
    return PlanDoc(
        schema_version=data["schema_version"],
        plan=PlanMeta(
            code=meta["code"],
            version=meta["version"],
            language=meta["language"],
            title=_req_text(meta["title"]),
            issuer=_req_text(meta["issuer"]),
            region=_text(meta.get("region")),
            period_start=meta["period"]["start"],
            period_end=meta["period"]["end"],
            source=_text(meta.get("source")),
        ),
        preamble=_text(data.get("preamble")),
        principles=_req_text(data["principles"]),
        overall_goal=_req_text(data["overall_goal"]),
        goal_areas=tuple(areas),
        task_groups=groups,
        safeguards=safeguards,
    )
