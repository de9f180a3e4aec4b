"""Entry points for a release: apply a policy to a table or a text and build its report.

``apply_policy(table, policy, context)`` is what the publication flow calls: it scans the
table, transforms identifier cells and free-text cells as the policy's rule for the
release's opening level and security grade says, enforces k-anonymity / l-diversity on the
quasi-identifiers when the rule asks for it, and returns the new table with a
``PrivacyReport``. The input table is never modified.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ceyuan.opendata.privacy.policy import Policy, ReleaseBlocked, ReleaseRule
from ceyuan.opendata.privacy.report import (
    ColumnReport,
    FindingCollector,
    FindingRecord,
    PrivacyReport,
)
from ceyuan.opendata.privacy.tables import TableScan, k_anonymize, scan_table
from ceyuan.opendata.privacy.transforms import (
    TransformContext,
    TransformSpec,
    apply_transform,
    label_for,
    redact_text,
)


@dataclass(frozen=True, slots=True)
class ReleaseContext:
    """Who releases what, under which key and clock."""

    release_id: str
    opening_level: str
    security_grade: str
    key: bytes
    now: dt.datetime
    source: str = ""
    quasi_identifiers: Sequence[str] | None = None  # None: use the suggested ones
    sensitive: Sequence[str] | None = None
    column_types: Mapping[str, str] = field(
        default_factory=dict
    )  # column -> entity type, overrides detection

    def transform_context(self) -> TransformContext:
        return TransformContext(key=self.key, release_id=self.release_id)


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """How the cells of one column are treated: whole-cell type, or free text scanning."""

    name: str
    cell_type: str | None
    role: str


def plan_columns(scan: TableScan, context: ReleaseContext) -> dict[str, ColumnPlan]:
    """Whole-cell treatment for columns whose cells are one identifier each (at least half of
    them, a finding covering 80 % of the cell); free-text scanning for the others."""
    plans: dict[str, ColumnPlan] = {}
    for col in scan.columns:
        cell_type = context.column_types.get(col.name) or col.cell_type
        plans[col.name] = ColumnPlan(col.name, cell_type, col.role)
    return plans


def transform_cell(
    value: object,
    plan: ColumnPlan,
    rule: ReleaseRule,
    tctx: TransformContext,
    *,
    min_confidence: float,
) -> tuple[object, list[FindingRecord]]:
    """Transform one cell; whole-cell identifiers get their type's action, text is redacted.

    Returns the new value and the finding records (row not yet set).
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value, []
    text = str(value)
    if plan.cell_type is not None:
        spec = rule.actions.get(plan.cell_type, TransformSpec("suppress"))
        outcome = apply_transform(
            spec, text, tctx.with_(entity_type=plan.cell_type, column=plan.name)
        )
        record = FindingRecord(plan.cell_type, "column", 1.0, spec.name, 0, len(text), plan.name)
        return outcome.value, [record]
    new, found = redact_text(
        text, rule.actions, tctx.with_(column=plan.name), min_confidence=min_confidence
    )
    records = [
        FindingRecord(
            f.type,
            f.rule,
            f.confidence,
            rule.actions.get(f.type, TransformSpec("suppress")).name,
            f.start,
            f.end,
            plan.name,
        )
        for f in found
    ]
    return new, records


def transform_frame(
    frame: pd.DataFrame,
    plans: Mapping[str, ColumnPlan],
    rule: ReleaseRule,
    tctx: TransformContext,
    *,
    min_confidence: float,
    collector: FindingCollector,
    first_row: int = 0,
) -> pd.DataFrame:
    """Transform every cell. Transforms are deterministic per (key, value), so each distinct
    value of a column is transformed once."""
    out = frame.copy()
    for col in frame.columns:
        plan = plans.get(str(col)) or ColumnPlan(str(col), None, "other")
        if (
            plan.cell_type is not None
            and rule.actions.get(plan.cell_type, TransformSpec("suppress")).name == "keep"
        ):
            continue
        cache: dict[object, tuple[object, list[FindingRecord]]] = {}
        cells: list[object] = []
        for i, v in enumerate(frame[col].tolist()):
            key = v if isinstance(v, str | int | float) or v is None else repr(v)
            hit = cache.get(key)
            if hit is None:
                hit = transform_cell(v, plan, rule, tctx, min_confidence=min_confidence)
                cache[key] = hit
            cells.append(hit[0])
            if hit[1]:
                collector.add(dataclasses.replace(r, row=first_row + i) for r in hit[1])
        out[col] = pd.Series(cells, index=out.index, dtype=object)
    return out


def rule_or_block(policy: Policy, context: ReleaseContext) -> ReleaseRule:
    rule = policy.rule_for(context.opening_level, context.security_grade)
    if not rule.allowed:
        raise ReleaseBlocked(
            f"policy {policy.name!r} does not allow releasing {context.security_grade} data "
            f"at opening level {context.opening_level}"
        )
    return rule


def apply_policy(
    table: pd.DataFrame, policy: Policy, context: ReleaseContext
) -> tuple[pd.DataFrame, PrivacyReport]:
    """Transform ``table`` for release under ``policy``; return it with its privacy report."""
    rule = rule_or_block(policy, context)
    scan = scan_table(table, min_confidence=policy.min_confidence)
    plans = plan_columns(scan, context)
    collector = FindingCollector()
    out = transform_frame(
        table.reset_index(drop=True),
        plans,
        rule,
        context.transform_context(),
        min_confidence=policy.min_confidence,
        collector=collector,
    )
    notes: list[str] = []
    anonymity = None
    if rule.k_anonymity is not None:
        qis = (
            list(context.quasi_identifiers)
            if context.quasi_identifiers is not None
            else [c.name for c in scan.columns if c.role == "quasi_identifier"]
        )
        sens = (
            list(context.sensitive)
            if context.sensitive is not None
            else [c.name for c in scan.columns if c.role == "sensitive"]
        )
        spec = rule.k_anonymity
        result = k_anonymize(
            out,
            qis,
            k=spec.k,
            l=spec.l if sens else 1,
            sensitive=sens,
            max_suppression=spec.max_suppression,
        )
        out = result.table
        anonymity = result.report
        if not qis:
            notes.append(
                "no quasi-identifiers were found or given; k-anonymity is over the empty QI set"
            )
    columns = tuple(
        ColumnReport(
            c.name,
            c.role,
            c.entity_types,
            _column_action(plans[c.name], rule),
            c.reason,
            plans[c.name].cell_type,
        )
        for c in scan.columns
    )
    report = _report(
        context,
        policy,
        collector,
        columns=columns,
        anonymity=anonymity,
        notes=tuple(notes),
    )
    return out, report


def _report(
    context: ReleaseContext, policy: Policy, collector: FindingCollector, **extra: Any
) -> PrivacyReport:
    """The report of one release: who released what under which policy, and what was found."""
    return PrivacyReport(
        release_id=context.release_id,
        created_at=context.now,
        source=context.source,
        policy=policy.name,
        opening_level=context.opening_level,
        security_grade=context.security_grade,
        counts=dict(sorted(collector.counts.items())),
        findings=tuple(collector.records),
        findings_truncated=collector.truncated,
        **extra,
    )


def _column_action(plan: ColumnPlan, rule: ReleaseRule) -> str:
    if plan.cell_type is None:
        return "scan_text"
    action = rule.actions.get(plan.cell_type, TransformSpec("suppress")).name
    return f"{action}:{label_for(plan.cell_type)}"


def redact_document(
    text: str, policy: Policy, context: ReleaseContext
) -> tuple[str, PrivacyReport]:
    """Redact free text under ``policy``; findings are reported by character offset."""
    rule = rule_or_block(policy, context)
    new, found = redact_text(
        text, rule.actions, context.transform_context(), min_confidence=policy.min_confidence
    )
    collector = FindingCollector()
    collector.add(
        FindingRecord(
            f.type,
            f.rule,
            f.confidence,
            rule.actions.get(f.type, TransformSpec("suppress")).name,
            f.start,
            f.end,
        )
        for f in found
    )
    return new, _report(
        context,
        policy,
        collector,
    )
