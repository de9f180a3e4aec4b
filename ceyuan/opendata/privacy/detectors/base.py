"""Detector registry and the scanning entry point.

A detector is a function ``(text) -> Iterable[Finding]`` registered under the entity type it
reports, e.g. ``@detector("cn_resident_id")``. Detectors are independent; ``scan_text`` runs
the requested ones and resolves overlaps so that every character belongs to at most one
finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ceyuan.opendata.privacy.findings import Finding, resolve_overlaps
from ceyuan.opendata.privacy.registry import Registry

DetectorFn = Callable[[str], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class DetectorSpec:
    name: str
    fn: DetectorFn
    description: str
    structured: bool


DETECTORS: Registry[DetectorSpec] = Registry("detector")


def detector(
    name: str, *, description: str = "", structured: bool = True
) -> Callable[[DetectorFn], DetectorFn]:
    """Register ``fn`` as the detector for entity type ``name``."""

    def decorate(fn: DetectorFn) -> DetectorFn:
        DETECTORS.register(name)(
            DetectorSpec(name, fn, description or (fn.__doc__ or ""), structured)
        )
        return fn

    return decorate


DEFAULT_MIN_CONFIDENCE = 0.5


def scan_text(
    text: str,
    types: Sequence[str] | None = None,
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
) -> list[Finding]:
    """Run detectors over ``text`` and return non-overlapping findings sorted by offset."""
    if not text:
        return []
    names = list(types) if types is not None else DETECTORS.names()
    found: list[Finding] = []
    for name in names:
        spec = DETECTORS.get(name)
        found.extend(f for f in spec.fn(text) if f.confidence >= min_confidence)
    return resolve_overlaps(found)
