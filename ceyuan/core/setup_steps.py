"""Setup steps that apps contribute to ``ceyuan setup`` (e.g. loading shipped plan data)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SetupStep = Callable[[Any], None]
_STEPS: list[SetupStep] = []


def register_setup_step(step: SetupStep) -> SetupStep:
    if step not in _STEPS:
        _STEPS.append(step)
    return step


def registered_steps() -> list[SetupStep]:
    return list(_STEPS)
