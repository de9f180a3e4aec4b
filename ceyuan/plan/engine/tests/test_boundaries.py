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
