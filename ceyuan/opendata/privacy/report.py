"""The privacy report of a release: what was found, where, what was done, what risk is left.

Reports are plain frozen dataclasses with ``to_dict``/``from_dict`` so they can be stored as
JSON (the Django shell keeps them on the release) and read back by later versions.
``REPORT_VERSION`` changes whenever a field changes meaning; ``from_dict`` refuses newer
versions it cannot read. A report never contains the detected values themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

REPORT_VERSION = 1
MAX_DETAILED_FINDINGS = 10_000  # counts stay exact above this; details are a prefix


@dataclass(frozen=True, slots=True)
class FindingRecord:
    """One finding with its location: a column/row cell, a line, or an offset in text."""

    type: str
    rule: str
    confidence: float
    action: str
    start: int
    end: int
    column: str | None = None
    row: int | None = None


@dataclass(frozen=True, slots=True)
class ColumnReport:
    name: str
    role: str  # identifier | quasi_identifier | sensitive | other
    entity_types: Mapping[str, float]
    action: str
    reason: str
    cell_type: str | None = None  # the type each cell holds whole, when the column is one


@dataclass(frozen=True, slots=True)
class RiskReport:
    """Prosecutor re-identification risk over the quasi-identifiers."""

    records: int
    classes: int
    min_class_size: int
    max_risk: float  # 1 / smallest equivalence class
    average_risk: float  # classes / records
    share_below_k: float  # share of records in classes smaller than k
    k: int


@dataclass(frozen=True, slots=True)
class AnonymityReport:
    quasi_identifiers: tuple[str, ...]
    sensitive: tuple[str, ...]
    k: int
    l: int  # noqa: E741
    levels: Mapping[str, int]
    max_levels: Mapping[str, int]
    suppressed_records: int
    generalisation_loss: float  # mean over QIs of level / max level, in [0, 1]
    suppression_loss: float  # share of records suppressed
    discernibility: int
    risk_before: RiskReport
    risk_after: RiskReport


@dataclass(frozen=True, slots=True)
class DpReleaseRecord:
    label: str
    mechanism: str
    epsilon: float
    dataset_id: str


@dataclass(frozen=True, slots=True)
class PrivacyReport:
    release_id: str
    created_at: dt.datetime
    source: str
    policy: str
    opening_level: str
    security_grade: str
    counts: Mapping[str, int] = field(default_factory=dict)
    findings: tuple[FindingRecord, ...] = ()
    findings_truncated: bool = False
    columns: tuple[ColumnReport, ...] = ()
    anonymity: AnonymityReport | None = None
    dp_releases: tuple[DpReleaseRecord, ...] = ()
    notes: tuple[str, ...] = ()
    version: int = REPORT_VERSION

    def __post_init__(self) -> None:
        if self.created_at.tzinfo is None:
            raise ValueError("PrivacyReport.created_at must be timezone-aware")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PrivacyReport:
        version = int(data.get("version", 0))
        if version > REPORT_VERSION or version < 1:
            raise ValueError(
                f"privacy report version {version} cannot be read "
                f"(this engine reads 1..{REPORT_VERSION})"
            )
        anon = data.get("anonymity")
        return cls(
            release_id=data["release_id"],
            created_at=dt.datetime.fromisoformat(data["created_at"]),
            source=data["source"],
            policy=data["policy"],
            opening_level=data["opening_level"],
            security_grade=data["security_grade"],
            counts=dict(data.get("counts", {})),
            findings=tuple(FindingRecord(**f) for f in data.get("findings", ())),
            findings_truncated=bool(data.get("findings_truncated", False)),
            columns=tuple(ColumnReport(**c) for c in data.get("columns", ())),
            anonymity=_anonymity_from_dict(anon) if anon else None,
            dp_releases=tuple(DpReleaseRecord(**d) for d in data.get("dp_releases", ())),
            notes=tuple(data.get("notes", ())),
            version=version,
        )


def _anonymity_from_dict(data: Mapping[str, Any]) -> AnonymityReport:
    values = dict(data)
    values["quasi_identifiers"] = tuple(values["quasi_identifiers"])
    values["sensitive"] = tuple(values["sensitive"])
    values["risk_before"] = RiskReport(**values["risk_before"])
    values["risk_after"] = RiskReport(**values["risk_after"])
    return AnonymityReport(**values)


class FindingCollector:
    """Accumulates finding records for a report, keeping counts exact and details bounded."""

    def __init__(self, limit: int = MAX_DETAILED_FINDINGS) -> None:
        self.limit = limit
        self.counts: Counter[str] = Counter()
        self.records: list[FindingRecord] = []
        self.truncated = False

    def add(self, records: Iterable[FindingRecord]) -> None:
        for r in records:
            self.counts[r.type] += 1
            if len(self.records) < self.limit:
                self.records.append(r)
            else:
                self.truncated = True
