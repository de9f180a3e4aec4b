"""The engine stays pure: no Django, no settings, nothing from the web shell."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1]


def test_engine_modules_import_no_django_and_no_other_app() -> None:
    for path in sorted(ENGINE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith("django"), (path, name)
                if name.startswith("ceyuan."):
                    assert name.startswith("ceyuan.plan.engine"), (path, name)


def test_amounts_and_counts_have_a_floor_and_percentages_none() -> None:
    from ceyuan.plan.engine.quantities import unit_floor

    assert unit_floor("亿元") == 0.0 and unit_floor("家") == 0.0 and unit_floor("名") == 1.0
    assert unit_floor("%") is None  # growth rates may be negative
