"""Helpers shared by the privacy engine tests (plain functions: no conftest needed)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

FIXED_NOW = dt.datetime(2026, 11, 28, 0, 0, tzinfo=dt.UTC)
_CANDIDATES = (
    Path(__file__).resolve().parents[4].parent / "shared" / "data" / "pii",
    Path("/work/shared/data/pii"),
)


def pii_dir() -> Path:
    """The shared labelled PII data, or skip the calling test when it is absent."""
    for candidate in _CANDIDATES:
        if candidate.is_dir():
            return candidate
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail("shared PII data (../shared/data/pii) is required under CI")
    pytest.skip("shared PII data (../shared/data/pii) is not available")


def msra_person_scores(
    spans_of: Callable[[str], set[tuple[int, int]]], limit: int = 400
) -> tuple[float, float, float]:
    """Exact-span person precision, recall and F1 of ``spans_of`` on the first ``limit``
    sentences of the shared MSRA slice (skips or fails like ``pii_dir``)."""
    tp = fp = fn = 0
    with gzip.open(pii_dir() / "msra_ner" / "val.spans.jsonl.gz", "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= limit:
                break
            record = json.loads(line)
            gold = {(e["start"], e["end"]) for e in record["entities"] if e["label"] == "PER"}
            found = spans_of(record["text"])
            tp += len(gold & found)
            fp += len(found - gold)
            fn += len(gold - found)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    return precision, recall, 2 * precision * recall / (precision + recall)
