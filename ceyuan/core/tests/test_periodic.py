"""Periodic tasks: enqueued when due, once, and kept across restarts in the database."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from ceyuan.core import periodic
from ceyuan.core.models import PeriodicRun


@task()
def _tick() -> int:
    return 1


@pytest.fixture
def only_tick(monkeypatch: Any) -> None:
    monkeypatch.setattr(periodic, "_REGISTRY", {})
    periodic.register_periodic("test.tick", _tick, dt.timedelta(minutes=10))


@pytest.mark.django_db
def test_a_task_is_enqueued_when_due_and_not_before(only_tick: None) -> None:
    start = timezone.now()
    assert periodic.run_due(start) == ["test.tick"]
    assert periodic.run_due(start + dt.timedelta(minutes=9)) == []
    assert periodic.run_due(start + dt.timedelta(minutes=10)) == ["test.tick"]
    assert DBTaskResult.objects.filter(task_path__endswith="_tick").count() == 2
    run = PeriodicRun.objects.get(name="test.tick")
    assert run.last_enqueued_at == start + dt.timedelta(minutes=10) and run.last_task_id


@pytest.mark.django_db
def test_the_command_lists_and_runs_once(only_tick: None) -> None:
    out = StringIO()
    call_command("scheduler", "--list", stdout=out)
    assert "test.tick" in out.getvalue() and "next: now" in out.getvalue()
    call_command("scheduler", "--once", stdout=out)
    assert "enqueued test.tick" in out.getvalue()
    call_command("scheduler", "--once", stdout=(second := StringIO()))
    assert second.getvalue() == ""


def test_a_zero_interval_switches_a_task_off(only_tick: None) -> None:
    periodic.register_periodic("test.tick", _tick, dt.timedelta(0))
    assert periodic.registered_periodic() == []


def test_the_plan_registers_its_live_refresh() -> None:
    names = [p.name for p in periodic.registered_periodic()]
    assert "plan.refresh_live_indicators" in names
