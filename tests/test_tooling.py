"""The boundaries the tools hold: lint, format, import contracts, typing (strict on engines)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENGINES = ["ceyuan/compute/engine", "ceyuan/plan/engine", "ceyuan/opendata/privacy"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "ceyuan", "bench", "tests"],
        ["ruff", "format", "--check", "ceyuan", "bench", "tests"],
        ["lint-imports"],
    ],
    ids=["ruff-check", "ruff-format", "import-contracts"],
)
def test_tool_passes(command: list[str]) -> None:
    result = _run(str(BIN / command[0]), *command[1:])
    assert result.returncode == 0, result.stdout + result.stderr


def test_engines_are_strictly_typed() -> None:
    result = _run(str(BIN / "mypy"), "--strict", *ENGINES)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_whole_package_is_typed() -> None:
    """What ``make check`` runs: the Django shell typed through django-stubs, the engines with
    the strict flags listed in pyproject.toml."""
    result = _run(str(BIN / "mypy"), "ceyuan")
    assert result.returncode == 0, result.stdout + result.stderr
