"""Fixtures of the plan app's shell tests: the shipped plan loaded into each test's database.

The file is parsed and validated once per session (the slow part); each test then writes it
into its own database through the service."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def shipped_doc() -> Any:
    from ceyuan.plan.engine.planfile import load_plan
    from ceyuan.plan.services import SHIPPED_PLAN

    return load_plan(SHIPPED_PLAN)


@pytest.fixture
def plan(db: Any, shipped_doc: Any) -> Any:
    from ceyuan.plan.services import plan_load

    return plan_load(actor=None, doc=shipped_doc).plan


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
