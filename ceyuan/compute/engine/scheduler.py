"""The scheduler: one policy, an injected clock and an injected cluster provider.

Production and simulation run this same class. The provider gives a ``SchedulerState``
snapshot and applies an ``Allocation`` (the simulator's ``SimulatedCluster``, or an adapter
over the platform's database and Slurm/Kubernetes/Ray backends); the clock says what time it
is. ``check_allocation`` enforces what no policy may break, whatever its name:

* each placement is for a known pending or running job, on an existing pool that is up and
  that can host the job (model, memory, software stack);
* gangs are all-or-nothing: every placement of a gang job holds the whole gang on one pool;
  a non-gang job either is split into pieces that add up to exactly its size and start
  together, or is time-shared whole like a gang (``TimeShares`` entries always hold the whole
  job, so they are checked row by row, in bulk: listed once, known, compatible, up, shares in
  (0, 1] adding up to at most 1);
* a job's time shares add up to at most 1;
* no pool is given more accelerators than it has free once the round's preemptions and
  replaced placements are released.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Protocol

import numpy as np

from .jobs import EPS, compat_signature, compatible_pool_indices, pool_rejection
from .model import Allocation, Federation, Job, SchedulerState, TimeShares
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
    shares = allocation.shares
    if not allocation.placements and not allocation.preemptions and shares is None:
        return
    shared = state.shared
    shared_jobs: dict[str, Job] = {}
    # Jobs already on time shares and listed first, in the same order, are known (and listed
    # once: the state lists each job once); only the jobs after them need looking up.
    prefix = 0
    if shared is not None:
        if shares is not None and _lists_first(shares, shared):
            prefix = len(shared.jobs)
        else:
            shared_jobs = {job.id: job for job in shared.jobs}
    free = [ps.free if ps.up else 0.0 for ps in state.pools]
    up = [ps.up for ps in state.pools]
    preempted = {p.job_id for p in allocation.preemptions}
    released: set[str] = set(preempted)
    released.update(p.job_id for p in allocation.placements)
    # the listed jobs after the prefix (the prefix jobs are time-shared, so none is in
    # ``state.running``, and all their holdings are released below)
    listed: list[str] = []
    if shares is not None:
        listed = [job.id for job in shares.jobs[prefix:]]
        released.update(listed)
    # pending jobs are looked up only for placements and for listed jobs after the prefix
    pending = {job.id: job for job in state.pending} if allocation.placements or listed else {}
    for job_id in released.intersection(state.running) if state.running else ():
        for p in state.running[job_id].placements:
            free[fed.pool_index[p.pool_id]] += p.accelerators * p.share
    if shared is not None and shared.jobs:
        back: np.ndarray
        if not shared_jobs:  # every time-shared job is listed again: all of it is released
            back = np.zeros(len(free))
            back[_columns(fed, shared)] = shared.held()
        else:
            keep = np.fromiter([j in released for j in shared_jobs], bool, len(shared_jobs))
            mine = keep[shared.row]
            back = np.bincount(
                _columns(fed, shared)[shared.pool[mine]],
                weights=shared.size[shared.row[mine]] * shared.share[mine],
                minlength=len(free),
            )
        free = [f + b for f, b in zip(free, back.tolist(), strict=True)]

    def known_job(job_id: str) -> Job | None:
        if job_id in pending:
            return pending[job_id]
        if shared is not None and not shared_jobs:  # built on first need
            shared_jobs.update((job.id, job) for job in shared.jobs)
        if job_id in shared_jobs:
            return shared_jobs[job_id]
        running = state.running.get(job_id)
        return None if running is None else running.job

    by_job: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
    for p in allocation.placements:
        i = fed.pool_index.get(p.pool_id)
        if i is None:
            raise AllocationError(f"placement of {p.job_id} on unknown pool {p.pool_id}")
        by_job[p.job_id].append((i, p.accelerators, p.share))
    for job_id, parts in by_job.items():
        job = known_job(job_id)
        if job is None:
            raise AllocationError(f"placement of unknown or finished job {job_id}")
        if job_id in preempted:
            raise AllocationError(f"job {job_id} is both placed and preempted")
        shares_sum = 0.0
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
            shares_sum += share * amount / job.accelerators
        if not job.gang:
            whole = all(abs(a - job.accelerators) <= EPS for _, a, _ in parts)
            split = all(s == 1.0 for _, _, s in parts)
            total = sum(a for _, a, _ in parts)
            if not whole and not (split and abs(total - job.accelerators) <= EPS):
                raise AllocationError(f"job {job_id} pieces do not add up to its size")
        if shares_sum > 1.0 + 1e-6:
            raise AllocationError(f"job {job_id} time shares add up to {shares_sum:.6f} > 1")
    if shares is not None:
        taken = _check_shares(
            state, shares, prefix, listed, known_job, set(by_job) | preempted, up, pending
        )
        over = np.array(free) - taken < -1e-6
        if over.any():
            i = int(np.flatnonzero(over)[0])
            left = free[i] - float(taken[i])
            raise AllocationError(
                f"pool {fed.pools[i].id} over-allocated by {-left:.6f} accelerators"
            )
        return
    for i, left in enumerate(free):
        if left < -1e-6:
            raise AllocationError(
                f"pool {fed.pools[i].id} over-allocated by {-left:.6f} accelerators"
            )


def _lists_first(shares: TimeShares, before: TimeShares) -> bool:
    """Do ``shares`` list the jobs of ``before`` first, in the same order?

    A tuple comparison: item by item, with an identity shortcut, so it costs little when the
    policy hands back the jobs it was shown."""
    return shares.jobs[: len(before.jobs)] == before.jobs


def _everywhere(fed: Federation) -> bool:
    """Does every job signature checked so far on ``fed`` allow every pool?"""
    n_pools = len(fed.pools)
    return all(len(found) == n_pools for found in fed.compat_cache.values())


def _columns(fed: Federation, shares: TimeShares) -> np.ndarray:
    """Federation pool index of each of ``shares.pool_ids``."""
    if shares.pool_ids is fed.pool_ids or shares.pool_ids == fed.pool_ids:
        return np.arange(len(fed.pools))
    missing = [p for p in shares.pool_ids if p not in fed.pool_index]
    if missing:
        raise AllocationError(f"time shares on unknown pool {missing[0]}")
    return np.array([fed.pool_index[p] for p in shares.pool_ids], dtype=np.int64)


def _check_shares(
    state: SchedulerState,
    shares: TimeShares,
    known_rows: int,
    listed: list[str],
    known_job: Callable[[str], Job | None],
    elsewhere: set[str],
    up: list[bool],
    pending: Mapping[str, Job],
) -> np.ndarray:
    """Validate ``shares`` row by row; return the accelerators they take per pool.

    The first ``known_rows`` jobs are those of ``state.shared``, in its order (each listed
    once, known); ``listed`` holds the ids of the others, which are checked here."""
    fed = state.federation
    jobs = shares.jobs
    n = len(jobs)
    # A listed pending job cannot be one of the known (time-shared) jobs: only the others
    # need comparing with them.
    before_ids: set[str] = set()
    if known_rows and (elsewhere or any(job_id not in pending for job_id in listed)):
        before_ids = {job.id for job in jobs[:known_rows]}
    if len(set(listed)) != len(listed) or not before_ids.isdisjoint(listed):
        every = [job.id for job in jobs]
        twice = next(j for j in every if every.count(j) > 1)
        raise AllocationError(f"job {twice} is listed twice in the time shares")
    both = elsewhere.intersection(listed) | elsewhere.intersection(before_ids)
    if both:
        raise AllocationError(f"job {min(both)} has time shares and a placement or preemption")
    for job in jobs[known_rows:]:
        known = known_job(job.id)
        if known is None:
            raise AllocationError(f"time shares for unknown or finished job {job.id}")
        if known is not job and known != job:
            raise AllocationError(f"time shares for {job.id} describe another job")
    # Sizes handed over with the shares (``job_sizes``) must be the jobs' sizes (those of the
    # known jobs are the state's); otherwise ``TimeShares`` took them from the jobs.
    size = shares.size
    if shares.sizes_given:
        expected = np.fromiter(
            [job.accelerators for job in jobs[known_rows:]], float, n - known_rows
        )
        if known_rows and state.shared is not None:
            expected = np.concatenate((state.shared.size, expected))
        if size.shape != (n,) or not (size == expected).all():
            raise AllocationError("time shares: job sizes differ from the jobs' accelerators")
    row, pool, share = shares.row, shares.pool, shares.share
    if not (row.shape == pool.shape == share.shape and row.ndim == 1):
        raise AllocationError("time shares: row, pool and share arrays differ in shape")
    n_pools = len(fed.pools)
    columns = _columns(fed, shares)
    try:
        # bincount rejects negative indices; an index past the end makes the result longer
        totals = np.bincount(row, weights=share, minlength=n)
        taken_by_column = np.bincount(pool, weights=shares.size[row] * share, minlength=n_pools)
    except (ValueError, IndexError) as exc:
        raise AllocationError("time shares: an entry names no listed job or pool") from exc
    if totals.shape[0] > n or taken_by_column.shape[0] > len(shares.pool_ids):
        raise AllocationError("time shares: an entry names no listed job or pool")
    identity = columns.shape[0] == n_pools and shares.pool_ids is fed.pool_ids
    where = pool if identity else columns[pool]

    def offender(bad: np.ndarray) -> tuple[str, str]:
        e = int(np.flatnonzero(bad)[0])
        return jobs[int(row[e])].id, fed.pools[int(where[e])].id

    if share.size and not (share.min() > 0.0 and share.max() <= 1.0 + EPS):
        job_id, pool_id = offender(~((share > 0.0) & (share <= 1.0 + EPS)))
        raise AllocationError(f"job {job_id} has share outside (0, 1] on {pool_id}")
    if not all(up):
        bad = ~np.array(up, dtype=bool)[where]
        if bad.any():
            job_id, pool_id = offender(bad)
            raise AllocationError(f"job {job_id} placed on {pool_id}, which is down")
    # Compatibility is static (model, stack, memory, gang size), so an entry of a job that
    # already holds a share of that pool in the state (which holds only allocations that
    # passed this check) needs no new check; the others are checked per job signature.
    # Shortcut: the federation memoises each signature's compatible pools, and holds the
    # signatures of all the listed jobs once the other jobs' are looked up below (the known
    # jobs' were when they joined); when every memoised signature allows every pool, no entry
    # can be on an incompatible pool.
    for job in jobs[known_rows:]:
        compatible_pool_indices(fed, job)
    fresh = np.zeros(row.shape[0], dtype=bool)
    if not _everywhere(fed):
        fresh[:] = True
        if known_rows and state.shared is not None and row.shape[0]:
            before = state.shared
            held = np.zeros((known_rows, n_pools), dtype=bool)
            held[before.row, _columns(fed, before)[before.pool]] = True
            old = row < known_rows
            fresh[old] = ~held[row[old], where[old]]
    if fresh.any():
        mark = np.zeros(n, dtype=bool)
        mark[row[fresh]] = True
        to_check = np.flatnonzero(mark)
        checked = [jobs[r] for r in to_check.tolist()]
        keys = list(map(compat_signature, checked))
        first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
        masks = [compatible_pool_indices(fed, checked[i]) for i in first.values()]
        if any(len(m) < n_pools for m in masks):  # some job may not use some pool
            group = {key: g for g, key in enumerate(first)}
            group_of = np.zeros(n, dtype=np.int64)
            group_of[to_check] = np.fromiter(map(group.__getitem__, keys), np.int64, len(keys))
            allowed = np.zeros((len(masks), n_pools), dtype=bool)
            for g, compatible in enumerate(masks):
                allowed[g, list(compatible)] = True
            bad = fresh & ~allowed[group_of[row], where]
            if bad.any():
                job_id, pool_id = offender(bad)
                job = next(j for j in jobs if j.id == job_id)
                why = pool_rejection(job, fed.pools[fed.pool_index[pool_id]]) or "not compatible"
                raise AllocationError(f"job {job_id} cannot run on {pool_id}: {why}")
    if n and totals.min() <= 0.0:
        job_id = jobs[int(np.argmin(totals))].id
        raise AllocationError(f"job {job_id} is listed in the time shares without a share")
    if n and totals.max() > 1.0 + 1e-6:
        r = int(np.argmax(totals))
        raise AllocationError(f"job {jobs[r].id} time shares add up to {totals[r]:.6f} > 1")
    if identity:
        return taken_by_column
    taken: np.ndarray = np.zeros(n_pools)
    taken[columns] += taken_by_column[: columns.shape[0]]
    return taken
