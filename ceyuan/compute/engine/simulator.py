"""Discrete-event simulator that drives the production ``Scheduler``.

The simulator is the ``Clock`` and the ``ClusterProvider`` of a ``Scheduler``: it keeps the
cluster's state, hands the policy a snapshot, applies the validated allocation and advances
time to the next event. It never looks at which policy runs.

Model:

* events: job arrivals, job completions, centre outages (start/end), node failures and
  repairs, and periodic rounds for policies that ask for them (``round_interval``); all events
  at one instant are applied before one scheduling round;
* a running job progresses at sum over its placements of share x speed(job, pool) reference
  seconds per second (jobs handed out as ``TimeShares`` are held as rows of arrays,
  ``shared_runs.SharedRuns``, with the same model); it first spends the data-transfer time
  to its pool's centre (when it starts from the queue) and ``restart_overhead`` after a
  preemption, without progress;
* preemption keeps progress (checkpointed); a job hit by an outage or node failure is requeued
  with its progress lost (``failure_mode="requeue"``) or counted as lost (``"lose"``); a job
  hit more than ``max_failures`` times is lost (otherwise a job longer than its pool's time
  between failures would restart forever and the simulation would never end);
* node failures are Poisson per node with mean time between failures ``node_mtbf_hours`` and a
  fixed repair time; the failed node's capacity is gone until repaired and the jobs that no
  longer fit on the pool (most recently started first) are hit;
* the run ends when every job has finished, been lost or been found unschedulable; jobs still
  pending when nothing runs, nothing arrives and capacity has not come back for
  ``idle_timeout`` seconds end as ``unfinished``;
* deterministic: the only randomness is the failure process, drawn from ``seed``; ties are
  broken by insertion order.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import cast

import numpy as np

from .errors import InputError
from .jobs import speed, transfer_seconds, unschedulable_reason
from .model import (
    Allocation,
    Federation,
    Job,
    Placement,
    PoolState,
    RunningJob,
    SchedulerState,
    TenantAccount,
    TimeShares,
    empty_mapping,
)
from .policies.base import Policy
from .scheduler import Scheduler
from .shared_runs import ACC_SECONDS, CARBON, COST, DOMESTIC, ENERGY, SharedRuns


class JobStatus(StrEnum):
    DONE = "done"
    LOST = "lost"
    UNSCHEDULABLE = "unschedulable"
    UNFINISHED = "unfinished"


@dataclass(frozen=True, slots=True)
class Outage:
    """Centre (or single pool) unavailable from ``start`` to ``end`` (simulation seconds)."""

    target: str
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    seed: int = 0
    failure_mode: str = "requeue"
    outages: tuple[Outage, ...] = ()
    node_mtbf_hours: float | None = None
    node_repair_hours: float = 4.0
    restart_overhead: float = 0.0
    max_failures: int = 10
    idle_timeout: float = 7 * 86400.0
    utilisation_bucket: float = 3600.0
    stop_after: frozenset[str] | None = None
    tenants: Mapping[str, TenantAccount] = field(default_factory=empty_mapping, compare=False)


@dataclass(frozen=True, slots=True)
class JobRecord:
    job: Job
    status: JobStatus
    first_start: float | None
    finish: float | None
    accelerator_seconds: float
    domestic_accelerator_seconds: float
    cost: float
    energy_kwh: float
    carbon_kg: float
    preemptions: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SimulationResult:
    federation: Federation
    records: tuple[JobRecord, ...]
    end_time: float
    events: int
    rounds: int
    bucket: float
    pool_busy: Mapping[str, tuple[float, ...]]


_ARRIVAL, _FINISH, _OUTAGE, _RESTORE, _FAIL, _REPAIR, _TICK = range(7)


@dataclass(slots=True)
class _Run:
    job: Job
    placements: tuple[Placement, ...]
    pool_idx: tuple[int, ...]
    rate: float
    remaining: float
    last: float
    stall_until: float
    started: float
    version: int
    speeds: tuple[float, ...]  # speed(job, pool) of each placement's pool


@dataclass(slots=True)
class _Account:
    first_start: float | None = None
    acc_seconds: float = 0.0
    domestic: float = 0.0
    cost: float = 0.0
    energy: float = 0.0
    carbon: float = 0.0
    preemptions: int = 0
    failures: int = 0


class SimulatedCluster:
    """Clock and cluster provider for the ``Scheduler`` (see module docstring)."""

    def __init__(
        self, federation: Federation, jobs: Sequence[Job], policy: Policy, config: SimulationConfig
    ) -> None:
        self.fed = federation
        self.policy = policy
        self.config = config
        self.rng = random.Random(config.seed)
        self.jobs = sorted(jobs, key=lambda j: j.submit_time)
        self.next_arrival = 0
        self.t = self.jobs[0].submit_time if self.jobs else 0.0
        self.start_time = self.t
        pools = federation.pools
        self.capacity = [float(p.capacity) for p in pools]
        self.used = [0.0] * len(pools)
        self.down_centre = [0] * len(pools)
        self.failed_nodes = [0] * len(pools)
        self.pool_states = [PoolState(p, float(p.capacity), True) for p in pools]
        self.dirty: set[int] = set()
        self.pending: dict[str, Job] = {}
        self.runs: dict[str, _Run] = {}
        self.shared = SharedRuns(federation)
        self.running_view: dict[str, RunningJob] = {}
        self.attained: dict[str, float] = {}
        self.usage: dict[str, dict[str, float]] = {}
        self.accounts: dict[str, _Account] = {}
        self.records: list[JobRecord] = []
        self.leftover: dict[str, float] = {}
        self.heap: list[tuple[float, int, int, str, int]] = []
        self.seq = 0
        self.events = 0
        self.rounds = 0
        self.domestic_seconds = 0.0
        self.total_seconds = 0.0
        self.last_busy = [self.t] * len(pools)
        self.bucket = config.utilisation_bucket
        self.busy: list[dict[int, float]] = [{} for _ in pools]
        self.remaining_watch = set(config.stop_after) if config.stop_after is not None else None
        self.scheduler = Scheduler(policy, self, self)
        for outage in config.outages:
            self._push(outage.start, _OUTAGE, outage.target)
            self._push(outage.end, _RESTORE, outage.target)
        if config.node_mtbf_hours:
            for i in range(len(pools)):
                self._schedule_failure(i, self.t)
        if policy.round_interval:
            self._push(self.t + policy.round_interval, _TICK, "")

    # -- Clock / ClusterProvider -----------------------------------------------------------
    def now(self) -> float:
        return self.t

    def observe(self, now: float) -> SchedulerState:
        for i in self.dirty:
            ps = self.pool_states[i]
            up = self.down_centre[i] == 0
            free = self.capacity[i] - self.failed_nodes[i] * ps.pool.accelerators_per_node
            self.pool_states[i] = PoolState(ps.pool, max(0.0, free - self.used[i]), up)
        self.dirty.clear()
        usage: Mapping[str, Mapping[str, float]]
        shared: TimeShares | None = None
        if self.shared.jobs:
            self.shared.flush(now)
            shared = self.shared.snapshot()
            usage = _MergedUsage(self.usage, self.shared)
            attained: Mapping[str, float] = _MergedAttained(self.attained, self.shared)
        else:
            usage = MappingProxyType(cast(dict[str, Mapping[str, float]], self.usage))
            attained = MappingProxyType(self.attained)
        return SchedulerState(
            now=now,
            federation=self.fed,
            pools=tuple(self.pool_states),
            pending=tuple(self.pending.values()),
            running=MappingProxyType(self.running_view),
            attained=attained,
            tenants=self.config.tenants,
            usage=usage,
            domestic_hours=self.domestic_seconds / 3600.0,
            total_hours=self.total_seconds / 3600.0,
            shared=shared,
        )

    def apply(self, allocation: Allocation, now: float) -> None:
        for gone in allocation.unschedulable:
            job = self.pending.pop(gone.job_id, None)
            if job is not None:
                self._record(job, JobStatus.UNSCHEDULABLE, None, gone.reason)
        for pre in allocation.preemptions:
            run = self.runs.get(pre.job_id)
            if run is not None:
                self._stop(run)
                self.accounts[run.job.id].preemptions += 1
                self.pending[run.job.id] = run.job
            elif pre.job_id in self.shared.row_of:
                for job, remaining in self._leave_shared([self.shared.row_of[pre.job_id]]):
                    self.leftover[job.id] = remaining
                    self.accounts[job.id].preemptions += 1
                    self.pending[job.id] = job
        grouped: dict[str, list[Placement]] = {}
        for p in allocation.placements:
            grouped.setdefault(p.job_id, []).append(p)
        for job_id, placements in grouped.items():
            old = self.runs.get(job_id)
            if old is None and job_id in self.shared.row_of:
                # from time shares back to placements: progress kept, no restart
                ((job, remaining),) = self._leave_shared([self.shared.row_of[job_id]])
                self._start(job, placements, remaining, stall=0.0)
            elif old is not None:
                new = tuple(placements)
                if old.placements == new:
                    continue
                if self._reshare(old, new):
                    continue
                self._advance(old)
                self._release(old)
                self._start(old.job, placements, old.remaining, stall=0.0)
            else:
                job = self.pending.pop(job_id)
                resumed = job.id in self.attained
                stall = self.config.restart_overhead if resumed else 0.0
                pools = self.fed.pools
                index = self.fed.pool_index
                stall += max(
                    transfer_seconds(self.fed, job, pools[index[p.pool_id]]) for p in placements
                )
                left = self.leftover.pop(job_id, job.work)
                self._start(job, placements, left, stall=stall)
        if allocation.shares is not None:
            self._apply_shares(allocation.shares)

    # -- time-shared jobs (rows of ``self.shared``) -----------------------------------------
    def _apply_shares(self, shares: TimeShares) -> None:
        fed, shared = self.fed, self.shared
        if shares.pool_ids is fed.pool_ids or shares.pool_ids == fed.pool_ids:
            pool = shares.pool
        else:
            pool = np.array([fed.pool_index[p] for p in shares.pool_ids])[shares.pool]
        shared.flush(self.t)
        rows = np.empty(len(shares.jobs), dtype=np.int64)
        joining: list[tuple[int, Job]] = []
        # Usually the jobs already on time shares come first, in the same order, and the others
        # join: then row r of the answer is row r of ``shared`` (``every`` below).
        before = len(shared.jobs)
        known = before if shares.jobs[:before] == shared.jobs else 0
        rows[:known] = np.arange(known)
        for r, job in enumerate(shares.jobs[known:], start=known):
            at = shared.row_of.get(job.id)
            if at is None:
                joining.append((r, job))
            else:
                rows[r] = at
        if joining:
            pools_of: dict[int, list[int]] = {}
            is_new = np.zeros(len(shares.jobs), dtype=bool)
            is_new[[r for r, _ in joining]] = True
            mine = is_new[shares.row]
            for r, i in zip(shares.row[mine].tolist(), pool[mine].tolist(), strict=True):
                pools_of.setdefault(r, []).append(i)
            jobs: list[Job] = []
            remaining: list[float] = []
            stall: list[float] = []
            for r, job in joining:
                rows[r] = len(shared.jobs) + len(jobs)
                run = self.runs.get(job.id)
                if run is not None:  # from placements to time shares: progress kept
                    self._advance(run)
                    self._release(run)
                    jobs.append(run.job)
                    remaining.append(run.remaining)
                    stall.append(0.0)
                    continue
                job = self.pending.pop(job.id)
                resumed = job.id in self.attained
                wait = self.config.restart_overhead if resumed else 0.0
                wait += max(transfer_seconds(fed, job, fed.pools[i]) for i in pools_of[r])
                account = self.accounts.setdefault(job.id, _Account())
                if account.first_start is None:
                    account.first_start = self.t
                jobs.append(job)
                remaining.append(self.leftover.pop(job.id, job.work))
                stall.append(wait)
            shared.add(self.t, jobs, remaining, stall)
        every = known == before and len(shares.jobs) == len(shared.jobs) == before + len(joining)
        self._held_change(
            shared.assign(self.t, None if every else rows, shares.row, pool, shares.share)
        )

    def _leave_shared(self, rows: Sequence[int]) -> list[tuple[Job, float]]:
        """Take ``rows`` out of the time-shared set, accounted up to now."""
        self.shared.flush(self.t)
        gone, delta = self.shared.remove(self.t, rows)
        self._held_change(delta)
        result = []
        for job, remaining, spent in gone:
            if spent[ACC_SECONDS] > 0.0:
                self.attained[job.id] = self.attained.get(job.id, 0.0) + float(spent[ACC_SECONDS])
            acc = self.accounts[job.id]
            acc.acc_seconds += float(spent[ACC_SECONDS])
            acc.domestic += float(spent[DOMESTIC])
            acc.cost += float(spent[COST])
            acc.energy += float(spent[ENERGY])
            acc.carbon += float(spent[CARBON])
            result.append((job, remaining))
        return result

    def _held_change(self, delta: np.ndarray) -> None:
        used = self.used
        for i, change in enumerate(delta.tolist()):
            if change != 0.0:
                self._set_used(i, used[i] + change)

    def _hit_shared(self, rows: Sequence[int], why: str) -> None:
        for job, _ in self._leave_shared(rows):
            self._failed(job, why)

    # -- running jobs ----------------------------------------------------------------------
    def _start(self, job: Job, placements: list[Placement], remaining: float, stall: float) -> None:
        idx = tuple(self.fed.pool_index[p.pool_id] for p in placements)
        speeds = tuple(speed(job, self.fed.pools[i]) for i in idx)
        if job.gang or any(p.share < 1.0 for p in placements):
            rate = sum(p.share * v for p, v in zip(placements, speeds, strict=True))
        else:  # pieces run together; the slowest piece sets the pace
            rate = min(speeds)
        account = self.accounts.setdefault(job.id, _Account())
        if account.first_start is None:
            account.first_start = self.t
        run = _Run(
            job, tuple(placements), idx, rate, remaining, self.t, self.t + stall, self.t, 0, speeds
        )
        for p, i in zip(placements, idx, strict=True):
            self._set_used(i, self.used[i] + p.accelerators * p.share)
            tenant = self.usage.setdefault(job.tenant, {})
            model = self.fed.pools[i].model
            tenant[model] = tenant.get(model, 0.0) + p.accelerators * p.share
        self.runs[job.id] = run
        self._publish(run)

    def _reshare(self, run: _Run, new: tuple[Placement, ...]) -> bool:
        """Same pools and sizes, other time shares: update in place (no restart)."""
        old = run.placements
        if len(old) != len(new) or any(
            a.pool_id != b.pool_id or a.accelerators != b.accelerators
            for a, b in zip(old, new, strict=True)
        ):
            return False
        self._advance(run)
        self._account(run)
        tenant = self.usage[run.job.tenant]
        pools, used = self.fed.pools, self.used
        rate = 0.0
        for a, b, i, v in zip(old, new, run.pool_idx, run.speeds, strict=True):
            delta = b.accelerators * (b.share - a.share)
            self._set_used(i, used[i] + delta)
            model = pools[i].model
            tenant[model] = tenant[model] + delta
            rate += b.share * v
        run.placements = new
        run.rate = rate
        self._publish(run)
        return True

    def _publish(self, run: _Run) -> None:
        end = self._finish_time(run)
        self.seq += 1  # globally unique, so a finish event of an earlier run never matches
        run.version = self.seq
        self.running_view[run.job.id] = RunningJob(
            run.job, run.placements, run.started, run.remaining, self._expected_end(run)
        )
        if math.isfinite(end):
            self._push(end, _FINISH, run.job.id, run.version)

    def _finish_time(self, run: _Run) -> float:
        if run.rate <= 0:
            return math.inf
        return max(self.t, run.stall_until) + run.remaining / run.rate

    def _expected_end(self, run: _Run) -> float:
        if run.rate <= 0:
            return math.inf
        known = run.job.estimated_work - (run.job.work - run.remaining)
        return max(self.t, run.stall_until) + max(known, 0.0) / run.rate

    def _advance(self, run: _Run) -> None:
        start = max(run.last, run.stall_until)
        if self.t > start:
            run.remaining = max(0.0, run.remaining - (self.t - start) * run.rate)
        run.last = self.t

    def _account(self, run: _Run) -> None:
        elapsed = self.t - run.started
        if elapsed <= 0:
            return
        acc = self.accounts[run.job.id]
        for p, i in zip(run.placements, run.pool_idx, strict=True):
            pool = self.fed.pools[i]
            amount = p.accelerators * p.share * elapsed
            acc.acc_seconds += amount
            if pool.domestic:
                acc.domestic += amount
            acc.cost += amount / 3600.0 * pool.price_per_hour
            centre = self.fed.centre_by_id[pool.centre_id]
            energy = amount / 3600.0 * pool.accelerator.power_kw * centre.pue
            acc.energy += energy
            acc.carbon += energy * centre.carbon_kg_per_kwh
        self.attained[run.job.id] = (
            self.attained.get(run.job.id, 0.0)
            + sum(p.accelerators * p.share for p in run.placements) * elapsed
        )
        run.started = self.t

    def _release(self, run: _Run) -> None:
        self._account(run)
        for p, i in zip(run.placements, run.pool_idx, strict=True):
            self._set_used(i, self.used[i] - p.accelerators * p.share)
            tenant = self.usage[run.job.tenant]
            model = self.fed.pools[i].model
            tenant[model] = tenant[model] - p.accelerators * p.share
        del self.runs[run.job.id]
        del self.running_view[run.job.id]

    def _stop(self, run: _Run) -> None:
        self._advance(run)
        self._release(run)
        self.leftover[run.job.id] = run.remaining

    def _set_used(self, i: int, value: float) -> None:
        self._integrate(i)
        self.used[i] = max(0.0, value)
        self.dirty.add(i)

    def _integrate(self, i: int) -> None:
        last, now = self.last_busy[i], self.t
        if now <= last:
            return
        used = self.used[i]
        if used > 0:
            amount = used * (now - last)
            self.total_seconds += amount
            if self.fed.pools[i].domestic:
                self.domestic_seconds += amount
            series, width = self.busy[i], self.bucket
            b = int((last - self.start_time) // width)
            t = last
            while t < now:
                edge = self.start_time + (b + 1) * width
                step = min(edge, now) - t
                series[b] = series.get(b, 0.0) + used * step
                t += step
                b += 1
        self.last_busy[i] = now

    # -- events ----------------------------------------------------------------------------
    def _push(self, when: float, kind: int, key: str, version: int = 0) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (when, self.seq, kind, key, version))

    def _schedule_failure(self, i: int, after: float) -> None:
        mtbf = self.config.node_mtbf_hours
        assert mtbf is not None
        rate = self.fed.pools[i].nodes / (mtbf * 3600.0)
        self._push(after + self.rng.expovariate(rate), _FAIL, str(i))

    def _record(self, job: Job, status: JobStatus, finish: float | None, reason: str = "") -> None:
        acc = self.accounts.get(job.id, _Account())
        self.records.append(
            JobRecord(
                job,
                status,
                acc.first_start,
                finish,
                acc.acc_seconds,
                acc.domestic,
                acc.cost,
                acc.energy,
                acc.carbon,
                acc.preemptions,
                reason,
            )
        )
        if self.remaining_watch is not None:
            self.remaining_watch.discard(job.id)

    def _hit(self, run: _Run, why: str) -> None:
        """An outage or failure kills ``run``: requeue from scratch, or count it lost."""
        self._advance(run)
        self._release(run)
        self._failed(run.job, why)

    def _failed(self, job: Job, why: str) -> None:
        self.leftover.pop(job.id, None)
        account = self.accounts[job.id]
        account.failures += 1
        if self.config.failure_mode == "lose":
            self._record(job, JobStatus.LOST, None, why)
        elif account.failures > self.config.max_failures:
            # Without this a long job on a failure-prone pool restarts from zero forever.
            self._record(job, JobStatus.LOST, None, f"{why}; gave up after {account.failures}")
        else:
            account.preemptions += 1
            self.pending[job.id] = job

    def _pools_of(self, target: str) -> list[int]:
        if target in self.fed.pool_index:
            return [self.fed.pool_index[target]]
        return [i for i, p in enumerate(self.fed.pools) if p.centre_id == target]

    def _handle(self, kind: int, key: str, version: int) -> bool:
        """Apply one heap event; return True when the cluster changed."""
        if kind == _FINISH:
            run = self.runs.get(key)
            if run is None or run.version != version:
                return False
            self._advance(run)
            run.remaining = 0.0
            self._release(run)
            self._record(run.job, JobStatus.DONE, self.t)
            return True
        if kind == _TICK:
            assert self.policy.round_interval
            if self.pending or self.runs or self.shared.jobs or self.next_arrival < len(self.jobs):
                self._push(self.t + self.policy.round_interval, _TICK, "")
            return True
        if kind in (_OUTAGE, _RESTORE):
            for i in self._pools_of(key):
                self.down_centre[i] += 1 if kind == _OUTAGE else -1
                self.dirty.add(i)
                if kind == _OUTAGE:
                    for run in [r for r in self.runs.values() if i in r.pool_idx]:
                        self._hit(run, f"outage of {key}")
                    self._hit_shared(self.shared.on_pool(i), f"outage of {key}")
            return True
        i = int(key)
        pool = self.fed.pools[i]
        if kind == _FAIL:
            self._schedule_failure(i, self.t)
            if self.failed_nodes[i] >= pool.nodes:
                return False
            self.failed_nodes[i] += 1
            self._push(self.t + self.config.node_repair_hours * 3600.0, _REPAIR, key)
            self.dirty.add(i)
            limit = self.capacity[i] - self.failed_nodes[i] * pool.accelerators_per_node
            victims = sorted(
                (r for r in self.runs.values() if i in r.pool_idx), key=lambda r: -r.started
            )
            for run in victims:
                if self.used[i] <= limit + 1e-9:
                    break
                self._hit(run, f"node failure in {pool.id}")
            for r in reversed(self.shared.on_pool(i)):  # newest first
                if self.used[i] <= limit + 1e-9:
                    break
                self._hit_shared([r], f"node failure in {pool.id}")
            return True
        self.failed_nodes[i] -= 1  # _REPAIR
        self.dirty.add(i)
        return True

    def run(self, progress: Callable[[int, int], None] | None = None) -> SimulationResult:
        jobs, n_jobs = self.jobs, len(self.jobs)
        heap = self.heap
        reported = 0
        idle_since = math.inf
        while True:
            next_arrival = (
                jobs[self.next_arrival].submit_time if self.next_arrival < n_jobs else math.inf
            )
            next_event = heap[0][0] if heap else math.inf
            now = min(next_arrival, next_event, self.shared.next_finish)
            if not math.isfinite(now):
                break
            self.t = now
            changed = False
            while self.next_arrival < n_jobs and jobs[self.next_arrival].submit_time <= now:
                job = jobs[self.next_arrival]
                self.next_arrival += 1
                self.events += 1
                reason = unschedulable_reason(self.fed, job)
                if reason is not None:
                    self._record(job, JobStatus.UNSCHEDULABLE, None, reason)
                    continue
                self.pending[job.id] = job
                changed = True
            while heap and heap[0][0] <= now:
                _, _, kind, key, version = heapq.heappop(heap)
                if kind == _FINISH and self._stale(key, version):
                    continue
                self.events += 1
                changed = self._handle(kind, key, version) or changed
            done = self.shared.done(now)
            if done:
                self.events += len(done)
                changed = True
                for job, _ in self._leave_shared(done):
                    self._record(job, JobStatus.DONE, self.t)
            if changed and (self.pending or self.policy.time_sharing):
                self.rounds += 1
                self.scheduler.run_round()
            if progress is not None and self.events - reported >= 20000:
                reported = self.events
                progress(self.next_arrival, n_jobs)
            if self.remaining_watch is not None and not self.remaining_watch:
                break
            # Nothing runs and nothing arrives: only restored capacity could still help, and
            # with node failures some node may always be down, so give up after a while.
            idle = not self.runs and not self.shared.jobs and self.next_arrival >= n_jobs
            if not idle:
                idle_since = math.inf
            elif not self.pending or self._all_capacity_up():
                break
            else:
                idle_since = min(idle_since, now)
                if now - idle_since > self.config.idle_timeout:
                    break
        if progress is not None:
            progress(self.next_arrival, n_jobs)
        return self._result()

    def _stale(self, job_id: str, version: int) -> bool:
        run = self.runs.get(job_id)
        return run is None or run.version != version

    def _all_capacity_up(self) -> bool:
        return not any(self.failed_nodes) and not any(self.down_centre)

    def _result(self) -> SimulationResult:
        for run in list(self.runs.values()):
            self._advance(run)
            self._release(run)
            self._record(run.job, JobStatus.UNFINISHED, None, "still running at the end")
        for job, _ in self._leave_shared(range(len(self.shared.jobs))):
            self._record(job, JobStatus.UNFINISHED, None, "still running at the end")
        for job in self.pending.values():
            self._record(job, JobStatus.UNFINISHED, None, "never started: no capacity it accepts")
        for i in range(len(self.fed.pools)):
            self._integrate(i)
        n_buckets = int((self.t - self.start_time) // self.bucket) + 1
        busy = {
            p.id: tuple(
                self.busy[i].get(b, 0.0) / (self.bucket * p.capacity) for b in range(n_buckets)
            )
            for i, p in enumerate(self.fed.pools)
        }
        return SimulationResult(
            self.fed,
            tuple(self.records),
            self.t,
            self.events,
            self.rounds,
            self.bucket,
            MappingProxyType(busy),
        )


def simulate(
    federation: Federation,
    jobs: Iterable[Job],
    policy: Policy,
    config: SimulationConfig | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Replay ``jobs`` on ``federation`` under ``policy``; deterministic for ``config.seed``."""
    config = config or SimulationConfig()
    _check_config(config)
    cluster = SimulatedCluster(federation, list(jobs), policy, config)
    return cluster.run(progress)


def _check_config(config: SimulationConfig) -> None:
    """Refuse settings that would make the run meaningless or never end (InputError)."""

    def positive(name: str, value: float | None) -> None:
        if value is not None and not (math.isfinite(value) and value > 0):
            raise InputError("simulation", f"must be a positive number, got {value!r}", field=name)

    positive("node_mtbf_hours", config.node_mtbf_hours)
    positive("node_repair_hours", config.node_repair_hours)
    positive("idle_timeout", config.idle_timeout)
    positive("utilisation_bucket", config.utilisation_bucket)
    if not (math.isfinite(config.restart_overhead) and config.restart_overhead >= 0):
        raise InputError("simulation", "must be >= 0 seconds", field="restart_overhead")
    for outage in config.outages:
        if not (math.isfinite(outage.start) and math.isfinite(outage.end)):
            raise InputError("simulation", f"outage of {outage.target} needs finite times")
        if outage.end < outage.start:
            raise InputError("simulation", f"outage of {outage.target} ends before it starts")
    for tenant, account in config.tenants.items():
        positive(f"tenants.{tenant}", account.quota)


class _MergedUsage(Mapping[str, Mapping[str, float]]):
    """Accelerators in use per tenant and model: jobs with placements plus time-shared rows,
    added up only when a policy reads it."""

    def __init__(self, placed: Mapping[str, Mapping[str, float]], shared: SharedRuns) -> None:
        self._placed = placed
        self._shared = shared
        self._merged: dict[str, dict[str, float]] | None = None

    def _data(self) -> dict[str, dict[str, float]]:
        if self._merged is None:
            merged = {t: dict(m) for t, m in self._placed.items()}
            for tenant, models in self._shared.usage().items():
                mine = merged.setdefault(tenant, {})
                for model, amount in models.items():
                    mine[model] = mine.get(model, 0.0) + amount
            self._merged = merged
        return self._merged

    def __getitem__(self, tenant: str) -> Mapping[str, float]:
        return self._data()[tenant]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


class _MergedAttained(Mapping[str, float]):
    """Accelerator-seconds of service per job: the simulator's record plus, for time-shared
    rows, what they received since they joined (kept in the rows' accounting)."""

    def __init__(self, recorded: Mapping[str, float], shared: SharedRuns) -> None:
        self._recorded = recorded
        self._shared = shared

    def __getitem__(self, job_id: str) -> float:
        row = self._shared.row_of.get(job_id)
        if row is None:
            return self._recorded[job_id]
        return self._recorded.get(job_id, 0.0) + float(self._shared.account[row, ACC_SECONDS])

    def __iter__(self) -> Iterator[str]:
        yield from self._recorded
        yield from (j for j in self._shared.row_of if j not in self._recorded)

    def __len__(self) -> int:
        return len(self._recorded) + sum(1 for j in self._shared.row_of if j not in self._recorded)
