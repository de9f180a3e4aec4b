"""Findings: what a detector reports about a span of text.

A finding never carries the matched value itself, so reports built from findings can be
stored and shown without leaking the personal data they describe. Offsets are character
offsets into the scanned string, ``end`` exclusive.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One detected span of personal data."""

    start: int
    end: int
    type: str
    confidence: float
    rule: str

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad span [{self.start}, {self.end})")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} outside [0, 1]")

    @property
    def length(self) -> int:
        return self.end - self.start

    def shifted(self, offset: int) -> Finding:
        return Finding(
            self.start + offset, self.end + offset, self.type, self.confidence, self.rule
        )


def resolve_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """Keep a set of non-overlapping findings, preferring confident, then long, spans.

    Greedy selection in order of (confidence, length); the kept spans are disjoint, so a
    candidate only needs checking against its two neighbours in start order (O(n log n)
    searches). The result is sorted by position.
    """
    ranked = sorted(findings, key=lambda f: (-f.confidence, -f.length, f.start, f.type))
    starts: list[int] = []
    kept: list[Finding] = []
    for cand in ranked:
        i = bisect.bisect_left(starts, cand.start)
        if i > 0 and kept[i - 1].end > cand.start:
            continue
        if i < len(kept) and kept[i].start < cand.end:
            continue
        starts.insert(i, cand.start)
        kept.insert(i, cand)
    return kept
