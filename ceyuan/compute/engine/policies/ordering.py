"""Queue-order policies: FIFO, priority, shortest-job-first (oracle) and Tiresias-style LAS.

All place each job on the fastest free compatible pool (``GreedyPolicy.pool_score``) and take
the ``backfill`` and ``preempt`` options.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from operator import attrgetter
from types import MappingProxyType

from ..model import Job, SchedulerState
from .base import GreedyPolicy, policy

_by_submit = attrgetter("submit_time")


@policy("fifo")
class FifoPolicy(GreedyPolicy):
    """First in, first out.

    Objective: none beyond arrival order. Constraint: a job starts only when every job
    submitted before it has started (unless ``backfill``, which keeps the head's reservation).
    """

    def ordered(self, state: SchedulerState) -> Iterable[Job]:
        return sorted(state.pending, key=_by_submit)


@policy("priority")
class PriorityPolicy(GreedyPolicy):
    """Strict priority, FIFO within a priority level: order by (-priority, submit time)."""

    def sort_key(self, job: Job, state: SchedulerState) -> tuple[float, ...]:
        return (-job.priority, job.submit_time)


@policy("sjf")
class ShortestJobFirstPolicy(GreedyPolicy):
    """Shortest job first with the true job length (an oracle, so a bound, not deployable).

    Order by reference work x accelerators (accelerator-seconds), then submit time. Minimises
    mean completion time on one machine without preemption among non-idling orders.
    """

    def sort_key(self, job: Job, state: SchedulerState) -> tuple[float, ...]:
        return (job.work * job.accelerators, job.submit_time)


@policy("las")
class LeastAttainedServicePolicy(GreedyPolicy):
    """Discretised 2D least-attained-service (Tiresias, NSDI'19).

    A job's attained service is the accelerator-seconds it has received. Jobs fall into queues
    by thresholds on attained service (default 1 and 10 accelerator-hours); lower queues go
    first, FIFO inside a queue. Needs no job-length knowledge. Preemptive by default, and
    rescheduled every ``interval`` seconds so jobs are demoted as they run; the discrete
    queues stop two jobs from preempting each other back and forth.
    """

    def __init__(
        self,
        *,
        backfill: bool = False,
        preempt: bool = True,
        thresholds: str = "3600/36000",
        interval: float = 600.0,
    ) -> None:
        super().__init__(backfill=backfill, preempt=preempt)
        self.thresholds: Sequence[float] = tuple(float(t) for t in str(thresholds).split("/"))
        self.round_interval = float(interval)
        if not (math.isfinite(self.round_interval) and self.round_interval > 0):
            raise ValueError(f"interval must be a positive number of seconds, not {interval}")
        if not all(math.isfinite(t) and t > 0 for t in self.thresholds):
            raise ValueError(f"thresholds must be positive seconds, e.g. 3600/36000: {thresholds}")
        changed = {
            key: value
            for key, value, default in (
                ("preempt", preempt, True),
                ("thresholds", thresholds, "3600/36000"),
                ("interval", interval, 600.0),
            )
            if value != default
        }
        self.options = MappingProxyType(
            {**{k: v for k, v in self.options.items() if k != "preempt"}, **changed}
        )

    def sort_key(self, job: Job, state: SchedulerState) -> tuple[float, ...]:
        served = state.attained_service(job.id)
        queue = sum(1 for t in self.thresholds if served >= t)
        return (float(queue), job.submit_time)
