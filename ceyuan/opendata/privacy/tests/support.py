"""Helpers shared by the privacy engine tests (plain functions: no conftest needed)."""

from __future__ import annotations

import datetime as dt
import os
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
