"""The setup step that ``ceyuan setup`` (and so ``make run``) runs: load the shipped plan and
the municipal units. Idempotent: a second run changes nothing."""

from __future__ import annotations

from typing import Any


def load_shipped_plan(stdout: Any) -> None:
    from .services import SHIPPED_PLAN, plan_load_file, units_load

    created = units_load(actor=None)
    result = plan_load_file(actor=None, path=SHIPPED_PLAN)
    stdout.write(
        f"plan {result.plan.code} v{result.plan.version}: {result.outcome}; "
        f"{len(created)} unit(s) added"
    )
