"""Fixtures for every suite: one user per role, in a small set of organisations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from ceyuan.testing import make_organisation, make_user


@dataclass
class World:
    work_team: Any
    department: Any
    other_department: Any
    admin: Any
    coordinator: Any
    officer: Any
    member: Any
    reviewer: Any
    outsider_officer: Any
    nobody: Any

    def users(self) -> dict[str, Any]:
        return {
            "anonymous": None,
            "nobody": self.nobody,
            "member": self.member,
            "reviewer": self.reviewer,
            "officer": self.officer,
            "outsider_officer": self.outsider_officer,
            "coordinator": self.coordinator,
            "admin": self.admin,
        }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """PBKDF2's deliberate slowness protects real passwords; tests need no such protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Uploads and restricted files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "restricted": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "restricted"), "base_url": None},
        },
    }


@pytest.fixture
def world(db: Any) -> World:
    from ceyuan.accounts.models import Organisation, Role

    team = make_organisation(
        "work-team", Organisation.Kind.WORK_TEAM, name_zh="市级人工智能工作专班"
    )
    dept = make_organisation("kjw", name_zh="市科委、中关村管委会", name_en="Science Commission")
    other = make_organisation("jxj", name_zh="市经济和信息化局", name_en="Economy Bureau")
    experts = make_organisation("experts", Organisation.Kind.EXPERT_POOL, name_zh="专家库")
    return World(
        work_team=team,
        department=dept,
        other_department=other,
        admin=make_user("admin", organisation=team, role=Role.PLATFORM_ADMIN),
        coordinator=make_user("coordinator", organisation=team, role=Role.COORDINATOR),
        officer=make_user("officer", organisation=dept, role=Role.UNIT_OFFICER),
        member=make_user("member", organisation=dept, role=Role.MEMBER),
        reviewer=make_user("reviewer", organisation=experts, role=Role.REVIEWER),
        outsider_officer=make_user("outsider", organisation=other, role=Role.UNIT_OFFICER),
        nobody=make_user("nobody"),
    )
