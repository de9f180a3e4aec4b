"""Helpers shared by the test suites of every app (imported only by tests)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from ceyuan.accounts.models import Membership, Organisation, Role, User

SHARED_DIR = Path(
    os.environ.get("CEYUAN_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct-horse-battery-42"  # noqa: S105  (test users only)


def require_service(available: bool, what: str) -> None:
    """Skip when a service is missing on a developer's machine; fail under CI."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required under CI but is not available")
    pytest.skip(f"{what} is not available")


def shared_data(*parts: str) -> Path:
    path = SHARED_DIR.joinpath("data", *parts)
    require_service(path.exists(), f"shared data {path}")
    return path


def chromium_path() -> str:
    path = os.environ.get("CEYUAN_CHROMIUM") or shutil.which("chromium") or ""
    require_service(bool(path), "Debian's chromium")
    return path


def make_organisation(
    code: str, kind: str = Organisation.Kind.DEPARTMENT, **extra: Any
) -> Organisation:
    return Organisation.objects.create(
        code=code,
        name_zh=extra.pop("name_zh", f"单位{code}"),
        name_en=extra.pop("name_en", code),
        kind=kind,
        **extra,
    )


def make_user(
    username: str,
    *,
    organisation: Organisation | None = None,
    role: str | None = None,
    **extra: Any,
) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    if organisation is not None and role is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


__all__ = [
    "PASSWORD",
    "Role",
    "chromium_path",
    "make_organisation",
    "make_user",
    "require_service",
    "shared_data",
]
