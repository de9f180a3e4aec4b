"""Tables: column roles, scanning, k-anonymity with l-diversity, re-identification risk.

Model. A table has direct identifiers (removed or transformed cell by cell), quasi-identifiers
(QIs: attributes that together can single a person out, e.g. age, sex, district) and sensitive
attributes. A release is k-anonymous when every combination of QI values present in it is
shared by at least k records, and distinct-l-diverse when each such equivalence class holds at
least l distinct values of every sensitive attribute.

Algorithm (``k_anonymize``): full-domain generalisation with greedy choice, as in Sweeney's
Datafly. Each QI has a hierarchy of levels (0 = original, max = ``*``). While the records in
violating classes exceed the suppression budget, raise by one level the QI with the most
distinct values. Then suppress (drop) the records of every class still violating k or l.
Guarantee: the output is k-anonymous and l-diverse (possibly empty). Information loss is
reported as the mean generalisation height ratio, the suppressed share and the
discernibility metric (sum of squared class sizes, plus n per suppressed record).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ceyuan.opendata.privacy.detectors.base import DETECTORS, scan_text
from ceyuan.opendata.privacy.detectors.places import CITY, DISTRICT, PROVINCE, generalize_address
from ceyuan.opendata.privacy.findings import Finding
from ceyuan.opendata.privacy.report import AnonymityReport, ColumnReport, RiskReport

SUPPRESSED = "*"

IDENTIFIER_TYPES = frozenset(
    {
        "cn_resident_id",
        "cn_mobile",
        "cn_landline",
        "bank_card",
        "email",
        "cn_license_plate",
        "cn_passport",
        "cn_travel_permit",
        "ip_address",
        "person",
    }
)

_NAME_HINTS: Mapping[str, tuple[str, ...]] = {
    "identifier": (
        "姓名",
        "名字",
        "name",
        "身份证",
        "证件",
        "id_card",
        "idcard",
        "手机",
        "电话",
        "phone",
        "mobile",
        "邮箱",
        "email",
        "e-mail",
        "银行卡",
        "卡号",
        "card",
        "护照",
        "passport",
        "车牌",
        "plate",
        "ip",
    ),
    "quasi_identifier": (
        "年龄",
        "age",
        "性别",
        "sex",
        "gender",
        "出生",
        "birth",
        "生日",
        "邮编",
        "zip",
        "postcode",
        "地址",
        "address",
        "住址",
        "区县",
        "街道",
        "district",
        "职业",
        "occupation",
        "民族",
        "ethnic",
        "学历",
        "education",
        "婚姻",
        "marital",
        "籍贯",
        "city",
        "城市",
    ),
    "sensitive": (
        "诊断",
        "diagnosis",
        "疾病",
        "disease",
        "病",
        "health",
        "健康",
        "收入",
        "income",
        "salary",
        "工资",
        "宗教",
        "religion",
        "信仰",
        "犯罪",
        "criminal",
        "违法",
        "政治",
        "金额",
        "存款",
        "balance",
        "性取向",
        "基因",
        "gene",
        "指纹",
        "biometric",
    ),
}


@dataclass(frozen=True, slots=True)
class CellFinding:
    row: int
    column: str
    finding: Finding


@dataclass(frozen=True, slots=True)
class TableScan:
    columns: tuple[ColumnReport, ...]
    findings: tuple[CellFinding, ...]
    rows_scanned: int


def _hint_role(name: str) -> str | None:
    low = name.lower()
    for role in ("identifier", "sensitive", "quasi_identifier"):
        for hint in _NAME_HINTS[role]:
            if len(hint) <= 2 and hint.isascii():
                if re.search(rf"(?<![a-z]){re.escape(hint)}(?![a-z])", low):
                    return role
            elif hint in low:
                return role
    return None


def is_names_header(name: str) -> bool:
    """Whether a column so named is read as a whole: half its values (of the first 500) looking
    like person names make every name in it a finding (``scan_table``)."""
    return _hint_role(name) == "identifier" and any(
        h in name.lower() for h in ("姓名", "名字", "name")
    )


def scan_column(
    values: Sequence[str], types: Sequence[str] | None = None, *, min_confidence: float = 0.5
) -> list[list[Finding]]:
    """Findings per cell.

    Each distinct value is scanned once (real columns repeat values a lot), and the distinct
    values are joined into one string so that every detector runs once per column.
    """
    index: dict[str, int] = {}
    for v in values:
        index.setdefault(v, len(index))
    uniques = list(index)
    sep = "\n\u2029\n"  # a separator no detector matches across
    found = scan_text(sep.join(uniques), types, min_confidence=min_confidence)
    per_unique: list[list[Finding]] = [[] for _ in uniques]
    starts: list[int] = []
    pos = 0
    for v in uniques:
        starts.append(pos)
        pos += len(v) + len(sep)
    for f in found:
        k = bisect.bisect_right(starts, f.start) - 1
        if f.end <= starts[k] + len(uniques[k]):
            per_unique[k].append(f.shifted(-starts[k]))
    return [per_unique[index[v]] for v in values]


_SURNAME_CELL = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def scan_table(
    table: pd.DataFrame,
    *,
    types: Sequence[str] | None = None,
    min_confidence: float = 0.5,
    sample_rows: int | None = None,
    seed: int = 0,
) -> TableScan:
    """Detect personal data in every cell (or a seeded sample) and suggest column roles."""
    frame = (
        table
        if sample_rows is None or len(table) <= sample_rows
        else table.sample(sample_rows, random_state=seed)
    )
    findings: list[CellFinding] = []
    reports: list[ColumnReport] = []
    from ceyuan.opendata.privacy.detectors.names import looks_like_name_cell

    for col in frame.columns:
        series = frame[col]
        mask = series.notna()
        values = [str(v) for v in series[mask].tolist()]
        rows = [
            int(label) if isinstance(label, int | np.integer) else int(pos)
            for pos, label in zip(np.flatnonzero(mask.to_numpy()), series.index[mask], strict=True)
        ]
        per_cell = scan_column(values, types, min_confidence=min_confidence)
        shares: dict[str, float] = {}
        if values:
            counts: dict[str, int] = {}
            for cell in per_cell:
                for t in {f.type for f in cell}:
                    counts[t] = counts.get(t, 0) + 1
            shares = {t: round(c / len(values), 4) for t, c in sorted(counts.items())}
        hint = _hint_role(str(col))
        name_share = sum(looks_like_name_cell(v) for v in values[:500]) / max(
            1, min(len(values), 500)
        )
        wants_person = types is None or "person" in types
        if wants_person and is_names_header(str(col)) and name_share >= 0.5:
            shares["person"] = max(shares.get("person", 0.0), round(name_share, 4))
            per_cell = [
                cell
                if cell or not looks_like_name_cell(v)
                else [Finding(0, len(v), "person", 0.8, "name_column")]
                for cell, v in zip(per_cell, values, strict=True)
            ]
        whole: dict[str, int] = {}
        for r, cell, v in zip(rows, per_cell, values, strict=True):
            findings.extend(CellFinding(r, str(col), f) for f in cell)
            size = len(v.strip()) or 1
            for f in cell:
                if f.length >= 0.8 * size:
                    whole[f.type] = whole.get(f.type, 0) + 1
        cell_type = None
        if whole and values:
            top = max(whole, key=lambda t: whole[t])
            if whole[top] >= 0.5 * len(values):
                cell_type = top
        role, reason = _suggest_role(str(col), series, shares, hint)
        reports.append(ColumnReport(str(col), role, shares, "", reason, cell_type))
    return TableScan(tuple(reports), tuple(findings), len(frame))


def _suggest_role(
    name: str, series: pd.Series, shares: Mapping[str, float], hint: str | None
) -> tuple[str, str]:
    ident = {t: s for t, s in shares.items() if t in IDENTIFIER_TYPES and s >= 0.3}
    if ident:
        top = max(ident, key=lambda t: ident[t])
        return "identifier", f"{ident[top]:.0%} of cells hold {top}"
    if hint == "identifier":
        return "identifier", f"column name {name!r} names a direct identifier"
    if hint == "sensitive":
        return "sensitive", f"column name {name!r} names a sensitive attribute"
    if hint == "quasi_identifier":
        return "quasi_identifier", f"column name {name!r} names a quasi-identifier"
    if shares.get("address", 0) >= 0.3 or shares.get("geo_coordinates", 0) >= 0.3:
        return "quasi_identifier", "cells hold addresses or coordinates"
    n = int(series.notna().sum())
    distinct = int(series.nunique(dropna=True))
    if n and distinct / n > 0.95 and n > 20:
        return "identifier", f"{distinct} distinct values in {n} rows: acts as a key"
    return "other", ""


# --- generalisation hierarchies -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hierarchy:
    """Levels 0..depth of one QI; ``apply(value, level)`` returns the generalised value."""

    kind: str
    depth: int
    apply: Callable[[str, int], str]


_AGE_WIDTHS = (5, 10, 20, 50)
_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?")


def _numeric_level(value: str, level: int) -> str:
    if level == 0:
        return value
    if level > len(_AGE_WIDTHS):
        return SUPPRESSED
    try:
        x = float(value)
    except ValueError:
        return SUPPRESSED
    w = _AGE_WIDTHS[level - 1]
    low = int(x // w * w)
    return f"{low}-{low + w - 1}"


def _date_level(value: str, level: int) -> str:
    if level == 0:
        return value
    m = _DATE_RE.search(value)
    if not m or level >= 4:
        return SUPPRESSED
    y, mo = int(m.group(1)), int(m.group(2))
    if level == 1:
        return f"{y:04d}-{mo:02d}"
    if level == 2:
        return f"{y:04d}"
    return f"{y // 10 * 10}s"


def _address_level(value: str, level: int) -> str:
    if level == 0:
        return value
    if level >= 4:
        return SUPPRESSED
    target = (DISTRICT, CITY, PROVINCE)[level - 1]
    for lv in range(target, 0, -1):
        cut = generalize_address(value, lv)
        if cut:
            return cut
    return SUPPRESSED


def _categorical_level(value: str, level: int) -> str:
    return value if level == 0 else SUPPRESSED


def _prefix_hierarchy(width: int) -> Hierarchy:
    def apply(value: str, level: int) -> str:
        if level == 0:
            return value
        if level >= width:
            return SUPPRESSED
        return value[: width - level] + "*" * level

    return Hierarchy("prefix", width, apply)


def choose_hierarchy(series: pd.Series) -> Hierarchy:
    """Pick a hierarchy from the column's content: numbers, dates, addresses, codes, categories."""
    values = [str(v) for v in series.dropna().head(200).tolist()]
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return Hierarchy("numeric", len(_AGE_WIDTHS) + 1, _numeric_level)
    if values and sum(
        bool(_DATE_RE.fullmatch(v.strip()[:10]) or _DATE_RE.match(v)) for v in values
    ) >= 0.8 * len(values):
        return Hierarchy("date", 4, _date_level)
    if values and sum(generalize_address(v, PROVINCE) is not None for v in values) >= 0.6 * len(
        values
    ):
        return Hierarchy("address", 4, _address_level)
    lengths = {len(v) for v in values}
    if (
        values
        and len(lengths) == 1
        and all(v.isdigit() for v in values)
        and 3 <= next(iter(lengths)) <= 8
    ):
        return _prefix_hierarchy(next(iter(lengths)))
    return Hierarchy("categorical", 1, _categorical_level)


def _generalise_column(series: pd.Series, hierarchy: Hierarchy, level: int) -> pd.Series:
    as_str = series.astype("string").fillna(SUPPRESSED)
    if level == 0:
        return as_str
    mapping = {u: hierarchy.apply(str(u), level) for u in as_str.unique()}
    return as_str.map(mapping).astype("string")


# --- risk --------------------------------------------------------------------------------


def reidentification_risk(
    table: pd.DataFrame, quasi_identifiers: Sequence[str], k: int
) -> RiskReport:
    """Prosecutor risk of the table over its quasi-identifiers."""
    n = len(table)
    if n == 0:
        return RiskReport(0, 0, 0, 0.0, 0.0, 0.0, k)
    if not quasi_identifiers:
        return RiskReport(n, 1, n, 1.0 / n, 1.0 / n, 0.0 if n >= k else 1.0, k)
    sizes = (
        table.astype("string")
        .fillna(SUPPRESSED)
        .groupby(list(quasi_identifiers), dropna=False)
        .size()
    )
    smallest = int(sizes.min())
    below = int(sizes[sizes < k].sum())
    return RiskReport(
        records=n,
        classes=len(sizes),
        min_class_size=smallest,
        max_risk=1.0 / smallest,
        average_risk=len(sizes) / n,
        share_below_k=below / n,
        k=k,
    )


def _violating_mask(
    frame: pd.DataFrame,
    qis: list[str],
    sensitive: Sequence[str],
    k: int,
    l: int,  # noqa: E741
) -> pd.Series:
    groups = frame.groupby(qis, dropna=False, sort=False)
    bad = groups[qis[0]].transform("size") < k
    for col in sensitive:
        bad |= groups[col].transform("nunique") < l
    return bad


def _distinct(frame: pd.DataFrame, column: str) -> int:
    series: pd.Series = frame[column]
    return int(series.nunique(dropna=False))


@dataclass(frozen=True, slots=True)
class AnonymityResult:
    table: pd.DataFrame
    report: AnonymityReport


def k_anonymize(
    table: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    *,
    k: int,
    l: int = 1,  # noqa: E741
    sensitive: Sequence[str] = (),
    max_suppression: float = 0.05,
    hierarchies: Mapping[str, Hierarchy] | None = None,
) -> AnonymityResult:
    """Generalise and suppress until every QI class has >= k records and >= l sensitive values."""
    if k < 1 or l < 1:
        raise ValueError("k and l must be at least 1")
    qis = list(quasi_identifiers)
    missing = [c for c in [*qis, *sensitive] if c not in table.columns]
    if missing:
        raise KeyError(f"columns not in table: {', '.join(map(str, missing))}")
    n = len(table)
    risk_before = reidentification_risk(table[qis] if qis else table.iloc[:, :0], qis, k)
    hier = {c: (hierarchies or {}).get(c) or choose_hierarchy(table[c]) for c in qis}
    levels = dict.fromkeys(qis, 0)
    out = table.copy()
    if not qis:
        keep = pd.Series(n >= k, index=table.index)
    else:
        sens_str = {c: table[c].astype("string").fillna(SUPPRESSED) for c in sensitive}
        while True:
            for c in qis:
                out[c] = _generalise_column(table[c], hier[c], levels[c])
            probe = out[qis].copy()
            for c, s in sens_str.items():
                probe[f"\x00{c}"] = s
            bad = _violating_mask(probe, qis, [f"\x00{c}" for c in sensitive], k, l)
            if int(bad.to_numpy().sum()) <= max_suppression * n:
                break
            open_qis = [c for c in qis if levels[c] < hier[c].depth]
            if not open_qis:
                break
            widest = max(open_qis, key=lambda c: (_distinct(out, c), -qis.index(c)))
            levels[widest] += 1
        keep = ~bad
    result = out[keep].reset_index(drop=True)
    suppressed = int(n - len(result))
    risk_after = (
        reidentification_risk(result, qis, k)
        if qis
        else RiskReport(
            len(result),
            1 if len(result) else 0,
            len(result),
            1.0 / len(result) if len(result) else 0.0,
            1.0 / len(result) if len(result) else 0.0,
            0.0,
            k,
        )
    )
    if qis and len(result):
        sizes = result[qis].groupby(qis, dropna=False).size()
        discern = int((sizes**2).sum()) + suppressed * n
    else:
        discern = len(result) ** 2 + suppressed * n
    gen_loss = sum(levels[c] / hier[c].depth for c in qis) / len(qis) if qis else 0.0
    report = AnonymityReport(
        quasi_identifiers=tuple(map(str, qis)),
        sensitive=tuple(map(str, sensitive)),
        k=k,
        l=l,
        levels={str(c): levels[c] for c in qis},
        max_levels={str(c): hier[c].depth for c in qis},
        suppressed_records=suppressed,
        generalisation_loss=round(gen_loss, 6),
        suppression_loss=round(suppressed / n, 6) if n else 0.0,
        discernibility=discern,
        risk_before=risk_before,
        risk_after=risk_after,
    )
    return AnonymityResult(result, report)


def is_k_anonymous(
    table: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    k: int,
    sensitive: Sequence[str] = (),
    l: int = 1,  # noqa: E741
) -> bool:
    if len(table) == 0:
        return True
    qis = list(quasi_identifiers)
    if not qis:
        return len(table) >= k
    frame = table.astype("string").fillna(SUPPRESSED)
    return not bool(_violating_mask(frame, qis, list(sensitive), k, l).any())


def known_types() -> list[str]:
    return DETECTORS.names()
