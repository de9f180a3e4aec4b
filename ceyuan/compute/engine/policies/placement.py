"""Pool-choice policies: cost-minimising, domestic-first, data-locality and spill-over.

All serve jobs in FIFO order (with the ``backfill``/``preempt`` options); they differ in which
compatible pool with room a job goes to.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from types import MappingProxyType

from ..jobs import compatible_pool_indices, expected_runtime, speed, transfer_seconds
from ..model import Federation, Job, Pool, SchedulerState
from .base import GreedyPolicy, policy

_by_submit = attrgetter("submit_time")


class _FifoOrder(GreedyPolicy):
    def ordered(self, state: SchedulerState) -> Iterable[Job]:
        return sorted(state.pending, key=_by_submit)


def expected_cost(federation: Federation, job: Job, pool: Pool) -> float:
    """Accelerator-hours the job will hold on ``pool`` times the pool's price."""
    hours = expected_runtime(federation, job, pool) / 3600.0
    return hours * job.accelerators * pool.price_per_hour


@policy("cost")
class CostMinimisingPolicy(_FifoOrder):
    """Cheapest pool first.

    Objective: minimise each job's expected bill, price_p x accelerators x (transfer_p +
    work / speed_p), greedily per job in FIFO order. Constraint: the bill stays within the
    job's ``budget``; a job whose budget no pool can meet is not placed.
    """

    has_admissible_hook = True

    def pool_score(self, job: Job, pool: Pool, state: SchedulerState) -> tuple[float, ...]:
        return (expected_cost(state.federation, job, pool), job.estimated_work / speed(job, pool))

    def admissible(self, job: Job, pool: Pool, state: SchedulerState) -> bool:
        return job.budget is None or expected_cost(state.federation, job, pool) <= job.budget

    def reason(self, job: Job, pool: Pool, state: SchedulerState) -> str:
        cost = expected_cost(state.federation, job, pool)
        return f"cost: {pool.id} is the cheapest free pool (expected {cost:.2f})"


@policy("domestic_first")
class DomesticFirstPolicy(_FifoOrder):
    """Prefer domestic accelerators for compatible jobs until a target share is reached.

    Let s = domestic accelerator-hours / all accelerator-hours delivered so far. While
    s < ``target``, a job that some domestic pool can host goes to the fastest free domestic
    pool, and to a foreign pool only when no domestic one has room; once s >= target the
    default (fastest pool) rule applies. Jobs tied to a foreign software stack are unaffected.
    """

    def __init__(self, *, target: float = 1.0, backfill: bool = False, preempt: bool = False):
        super().__init__(backfill=backfill, preempt=preempt)
        self.target = float(target)
        if not 0.0 <= self.target <= 1.0:  # NaN fails too
            raise ValueError(f"target must be a share between 0 and 1, not {target}")
        if target != 1.0:
            self.options = MappingProxyType({**self.options, "target": target})

    def pool_score(self, job: Job, pool: Pool, state: SchedulerState) -> tuple[float, ...]:
        base = super().pool_score(job, pool, state)
        share = state.domestic_hours / state.total_hours if state.total_hours > 0 else 0.0
        if share >= self.target:
            return (0.0, *base)
        return (0.0 if pool.domestic else 1.0, *base)

    def reason(self, job: Job, pool: Pool, state: SchedulerState) -> str:
        if pool.domestic:
            return f"domestic_first: {pool.id} is domestic and compatible"
        fed = state.federation
        has_domestic = any(fed.pools[i].domestic for i in compatible_pool_indices(fed, job))
        why = "domestic pools are full" if has_domestic else "no compatible domestic pool"
        return f"domestic_first: {pool.id} chosen, {why} (or target share reached)"


@policy("locality")
class DataLocalityPolicy(_FifoOrder):
    """Earliest expected finish with data movement counted.

    Score of pool p: transfer_p + work / speed_p, where transfer_p = data_gb x 8 / bandwidth
    + latency between the job's data centre and p's centre (0 when the data is local).
    """

    def pool_score(self, job: Job, pool: Pool, state: SchedulerState) -> tuple[float, ...]:
        return (expected_runtime(state.federation, job, pool), pool.price_per_hour)

    def reason(self, job: Job, pool: Pool, state: SchedulerState) -> str:
        moved = transfer_seconds(state.federation, job, pool)
        return f"locality: {pool.id} gives the earliest finish (data transfer {moved:.0f} s)"


@policy("spillover")
class SpillOverPolicy(_FifoOrder):
    """Ordered spill-over: the city's own centres, then partner centres, then public clouds.

    Score of pool p: (spill tier of p's centre, the centre's position in the federation file,
    run time). A job spills to the next tier only when every compatible pool of the lower
    tiers is full.
    """

    def pool_score(self, job: Job, pool: Pool, state: SchedulerState) -> tuple[float, ...]:
        fed = state.federation
        centre = fed.centre_by_id[pool.centre_id]
        position = fed.centre_position[centre.id]
        return (float(centre.spill_tier), float(position), job.estimated_work / speed(job, pool))

    def reason(self, job: Job, pool: Pool, state: SchedulerState) -> str:
        tier = state.federation.centre_by_id[pool.centre_id].spill_tier
        return f"spillover: {pool.id} is in the lowest tier with room (tier {tier})"
