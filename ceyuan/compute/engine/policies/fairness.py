"""Dominant-resource fair share across tenants, with quotas as weights.

Resources are accelerator models (each model's total capacity over the federation's pools that
are up). Tenant t's dominant share is d_t = max_m usage_t[m] / capacity[m] / quota_t. Model
(progressive filling, Ghodsi et al., NSDI'11): repeatedly give the next job of the tenant with
the smallest d_t (FIFO within a tenant), place it on the fastest free compatible pool, update
d_t. A tenant whose next job cannot start is skipped for the rest of the round (its later jobs
may start only with ``backfill``). Weighted DRF is Pareto-efficient, strategy-proof and
envy-free on divisible resources; with gangs it is the usual greedy approximation.
"""

from __future__ import annotations

import heapq
from collections import deque
from types import MappingProxyType

from ..model import Allocation, Job, SchedulerState
from .base import GreedyPolicy, _Round, policy


@policy("drf")
class DominantResourceFairPolicy(GreedyPolicy):
    def __init__(self, *, backfill: bool = False, preempt: bool = False) -> None:
        super().__init__(backfill=backfill, preempt=preempt)
        self.options = MappingProxyType(dict(self.options))

    def allocate(self, state: SchedulerState) -> Allocation:
        capacity: dict[str, float] = {}
        for ps in state.pools:
            if ps.up:
                capacity[ps.pool.model] = capacity.get(ps.pool.model, 0.0) + ps.pool.capacity
        queues: dict[str, deque[Job]] = {}
        for job in sorted(state.pending, key=lambda j: j.submit_time):
            queues.setdefault(job.tenant, deque()).append(job)
        usage = {t: dict(state.usage.get(t, {})) for t in queues}

        def dominant(tenant: str) -> float:
            quota = state.tenants[tenant].quota if tenant in state.tenants else 1.0
            shares = [v / capacity[m] for m, v in usage[tenant].items() if capacity.get(m)]
            return (max(shares) if shares else 0.0) / max(quota, 1e-12)

        heap = [(dominant(t), t) for t in queues]
        heapq.heapify(heap)
        run = _Round(self, state)
        pools = state.federation.pools
        index = state.federation.pool_index
        while heap:
            _share, tenant = heapq.heappop(heap)
            queue = queues[tenant]
            job = queue.popleft()
            before = len(run.placements)
            outcome = run.attempt(job)
            if outcome == "placed":
                for p in run.placements[before:]:
                    model = pools[index[p.pool_id]].model
                    usage[tenant][model] = usage[tenant].get(model, 0.0) + p.accelerators
            elif outcome in ("blocked", "skipped") and not self.backfill:
                continue  # tenant's head is blocked: its later jobs wait (strict FIFO)
            if queue:
                heapq.heappush(heap, (dominant(tenant), tenant))
        return run.result()

    def reason(self, job: Job, pool: object, state: SchedulerState) -> str:
        return f"drf: tenant {job.tenant} has the smallest weighted dominant share"
