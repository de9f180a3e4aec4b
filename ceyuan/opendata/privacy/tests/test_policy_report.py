"""Policies load and validate; reports round-trip and refuse unknown versions."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ceyuan.opendata.privacy.policy import (
    PolicyError,
    ReleaseBlocked,
    default_policy,
    load_policy,
    policy_from_dict,
)
from ceyuan.opendata.privacy.release import ReleaseContext, redact_document
from ceyuan.opendata.privacy.report import PrivacyReport

from .support import FIXED_NOW


def test_default_policy_covers_every_level_and_grade() -> None:
    policy = default_policy()
    for level in ("public", "restricted", "non_public"):
        for grade in ("general", "important"):
            assert policy.rule_for(level, grade).allowed
    assert not policy.rule_for("public", "core").allowed
    public_important = policy.rule_for("public", "important")
    assert public_important.actions["person"].name == "suppress"
    assert public_important.actions["cn_mobile"].params == {"keep_start": 3, "keep_end": 0}
    assert public_important.k_anonymity is not None and public_important.k_anonymity.k == 10


def test_unknown_transform_is_reported_with_its_place(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "version: 1\nlevels:\n  public:\n    general:\n      actions:\n        person: shred\n",
        encoding="utf-8",
    )
    with pytest.raises(
        PolicyError, match=r"levels\.public\.general\.actions\.person: unknown transform"
    ):
        load_policy(path)


def test_unmentioned_grade_is_not_allowed() -> None:
    policy = policy_from_dict({"version": 1, "levels": {"public": {"general": {"actions": {}}}}})
    assert not policy.rule_for("restricted", "general").allowed


def test_blocked_release_raises() -> None:
    context = ReleaseContext("r", "public", "core", b"k" * 16, FIXED_NOW)
    with pytest.raises(ReleaseBlocked, match="core data at opening level public"):
        redact_document("张三", default_policy(), context)


def test_report_round_trips_and_holds_no_values() -> None:
    context = ReleaseContext("r9", "restricted", "general", b"k" * 16, FIXED_NOW, source="a.txt")
    text, report = redact_document(
        "手机13812345678，身份证360426199101010071。", default_policy(), context
    )
    assert "360426199101010071" not in text
    data = report.to_dict()
    assert data["version"] == 1
    assert "13812345678" not in str(data) and "360426199101010071" not in str(data)
    assert PrivacyReport.from_dict(data) == report


def test_report_from_a_newer_version_is_refused() -> None:
    context = ReleaseContext("r", "restricted", "general", b"k" * 16, FIXED_NOW)
    _, report = redact_document("无", default_policy(), context)
    with pytest.raises(ValueError, match="version 2 cannot be read"):
        PrivacyReport.from_dict({**report.to_dict(), "version": 2})


def test_report_needs_an_aware_datetime() -> None:
    context = ReleaseContext("r", "restricted", "general", b"k" * 16, FIXED_NOW)
    _, report = redact_document("无", default_policy(), context)
    with pytest.raises(ValueError, match="timezone-aware"):
        dataclasses.replace(report, created_at=FIXED_NOW.replace(tzinfo=None))
