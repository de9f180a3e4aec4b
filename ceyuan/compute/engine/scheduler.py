"""The scheduler: one policy, an injected clock and an injected cluster provider.

Production and simulation run this same class. The provider gives a ``SchedulerState``
snapshot and applies an ``Allocation`` (the simulator's ``SimulatedCluster``, or an adapter
over the platform's database and Slurm/Kubernetes/Ray backends); the clock says what time it
is. ``check_allocation`` enforces what no policy may break, whatever its name:

* each placement is for a known pending or running job, on an existing pool that is up and
  that can host the job (model, memory, software stack);
* gangs are all-or-nothing: every placement of a gang job holds the whole gang on one pool;
  a non-gang job either is split into pieces that add up to exactly its size and start
  together, or is time-shared whole like a gang;
* a job's time shares add up to at most 1;
* no pool is given more accelerators than it has free once the round's preemptions and
  replaced placements are released.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Protocol

from .jobs import EPS, compatible_pool_indices, pool_rejection
from .model import Allocation, SchedulerState
from .policies.base import Policy


class Clock(Protocol):
    def now(self) -> float: ...


class ClusterProvider(Protocol):
    def observe(self, now: float) -> SchedulerState: ...

    def apply(self, allocation: Allocation, now: float) -> None: ...


class AllocationError(RuntimeError):
    """A policy returned an allocation that breaks an invariant (a bug in the policy)."""


class Scheduler:
    def __init__(self, policy: Policy, clock: Clock, provider: ClusterProvider) -> None:
        self.policy = policy
        self.clock = clock
        self.provider = provider

    def run_round(self) -> Allocation:
        now = self.clock.now()
        state = self.provider.observe(now)
        allocation = self.policy.allocate(state)
        check_allocation(state, allocation)
        self.provider.apply(allocation, now)
        return allocation


def check_allocation(state: SchedulerState, allocation: Allocation) -> None:
    """Raise ``AllocationError`` if ``allocation`` is not valid for ``state``."""
    fed = state.federation
    if not allocation.placements and not allocation.preemptions:
        return
    pending = {job.id: job for job in state.pending}
    free = [ps.free if ps.up else 0.0 for ps in state.pools]
    up = [ps.up for ps in state.pools]
    preempted = {p.job_id for p in allocation.preemptions}
    released: set[str] = set(preempted)
    released.update(p.job_id for p in allocation.placements)
    for job_id in released:
        running = state.running.get(job_id)
        if running is None:
            continue
        for p in running.placements:
            free[fed.pool_index[p.pool_id]] += p.accelerators * p.share
    by_job: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
    for p in allocation.placements:
        i = fed.pool_index.get(p.pool_id)
        if i is None:
            raise AllocationError(f"placement of {p.job_id} on unknown pool {p.pool_id}")
        by_job[p.job_id].append((i, p.accelerators, p.share))
    for job_id, parts in by_job.items():
        if job_id in pending:
            job = pending[job_id]
        elif job_id in state.running:
            job = state.running[job_id].job
        else:
            raise AllocationError(f"placement of unknown or finished job {job_id}")
        if job_id in preempted:
            raise AllocationError(f"job {job_id} is both placed and preempted")
        shares = 0.0
        compatible = compatible_pool_indices(fed, job)
        for i, amount, share in parts:
            if not up[i]:
                raise AllocationError(f"job {job_id} placed on {fed.pools[i].id}, which is down")
            if i not in compatible:
                why = pool_rejection(job, fed.pools[i]) or "not compatible"
                raise AllocationError(f"job {job_id} cannot run on {fed.pools[i].id}: {why}")
            if not 0.0 < share <= 1.0 + EPS:
                raise AllocationError(f"job {job_id} has share {share} on {fed.pools[i].id}")
            if job.gang and abs(amount - job.accelerators) > EPS:
                raise AllocationError(
                    f"gang job {job_id} given {amount:g} of {job.accelerators:g} "
                    f"on {fed.pools[i].id}"
                )
            free[i] -= amount * share
            shares += share * amount / job.accelerators
        if not job.gang:
            whole = all(abs(a - job.accelerators) <= EPS for _, a, _ in parts)
            split = all(s == 1.0 for _, _, s in parts)
            total = sum(a for _, a, _ in parts)
            if not whole and not (split and abs(total - job.accelerators) <= EPS):
                raise AllocationError(f"job {job_id} pieces do not add up to its size")
        if shares > 1.0 + 1e-6:
            raise AllocationError(f"job {job_id} time shares add up to {shares:.6f} > 1")
    for i, left in enumerate(free):
        if left < -1e-6:
            raise AllocationError(
                f"pool {fed.pools[i].id} over-allocated by {-left:.6f} accelerators"
            )
