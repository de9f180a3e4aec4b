"""Periodic background tasks: apps register a task and an interval; ``ceyuan scheduler`` (which
``ceyuan serve`` starts beside the task worker) puts each on the task queue when it is due.

The schedule is kept in the database (``PeriodicRun``), so a restart does not re-run a task
early, and the due check and the enqueue happen in one transaction under a row lock, so two
schedulers running at once enqueue a due task once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone


@dataclass(frozen=True, slots=True)
class Periodic:
    name: str
    task: Any  # a django_tasks Task taking no arguments
    every: dt.timedelta


_REGISTRY: dict[str, Periodic] = {}


def register_periodic(name: str, task: Any, every: dt.timedelta) -> None:
    """Run ``task`` every ``every``; a zero or negative interval switches it off."""
    if every <= dt.timedelta(0):
        _REGISTRY.pop(name, None)
        return
    _REGISTRY[name] = Periodic(name, task, every)


def registered_periodic() -> list[Periodic]:
    return sorted(_REGISTRY.values(), key=lambda p: p.name)


def _enqueue_if_due(periodic: Periodic, now: dt.datetime) -> bool:
    from .models import PeriodicRun

    with transaction.atomic():
        run, _ = PeriodicRun.objects.select_for_update().get_or_create(name=periodic.name)
        if run.last_enqueued_at is not None and now - run.last_enqueued_at < periodic.every:
            return False
        result = periodic.task.enqueue()
        run.last_enqueued_at = now
        run.last_task_id = str(getattr(result, "id", ""))[:64]
        run.save(update_fields=["last_enqueued_at", "last_task_id"])
        return True


def run_due(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every registered task whose interval has passed; return the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for periodic in registered_periodic():
        try:
            if _enqueue_if_due(periodic, now):
                enqueued.append(periodic.name)
        except IntegrityError:
            continue  # another scheduler created the row at the same moment: it enqueues
    return enqueued


def next_due(periodic: Periodic) -> dt.datetime | None:
    """When ``periodic`` is next due (None: never run yet, so due now)."""
    from .models import PeriodicRun

    run = PeriodicRun.objects.filter(name=periodic.name).first()
    if run is None or run.last_enqueued_at is None:
        return None
    return run.last_enqueued_at + periodic.every
