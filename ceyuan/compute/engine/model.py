"""Domain types of the compute engine: federation, jobs, scheduler snapshot and allocation.

All types are frozen dataclasses. Times are seconds (floats) on the injected clock's axis
(POSIX seconds in production, seconds since the start of the trace in simulation); money is in
the federation's currency (CNY in the shipped data) per accelerator-hour.

Invariants the rest of the engine relies on:

* a ``Pool`` is homogeneous: one accelerator model, one set of software stacks;
* a ``Job``'s ``work`` is measured in seconds on the reference accelerator (speed 1.0) when
  it holds all of its ``accelerators``; its speed on a model comes from ``Job.speedups`` when
  given (a Gavel-style throughput table), else from the catalogue's ``relative_speed``;
* a ``Placement`` with ``share`` < 1 is time-shared (fluid model of round-based time
  slicing); capacity is respected as ``sum(share * accelerators) <= pool capacity``;
* ``TimeShares`` is the same thing in bulk, for the time-sharing policies: whole jobs (all
  their accelerators) on time shares of pools, one entry per (job, pool), held as arrays so
  that a round over every active job costs a few array operations rather than one object per
  job and pool. A running job is either in ``SchedulerState.running`` (placements) or in
  ``SchedulerState.shared`` (time shares), never both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import numpy as np

EMPTY_SPEEDUPS: Mapping[str, float] = MappingProxyType({})


def empty_mapping() -> Mapping[str, Any]:
    return MappingProxyType({})


class CentreKind(StrEnum):
    PUBLIC = "public"
    COMMERCIAL = "commercial"
    PARTNER_CLOUD = "partner_cloud"
    CROSS_REGION = "cross_region"


class JobKind(StrEnum):
    TRAINING = "training"
    FINE_TUNING = "fine_tuning"
    INFERENCE = "inference"
    BATCH = "batch"


@dataclass(frozen=True, slots=True)
class Accelerator:
    """One accelerator model from the catalogue."""

    model: str
    vendor: str
    domestic: bool
    memory_gb: float
    bf16_tflops: float
    interconnect: str
    stacks: frozenset[str]
    relative_speed: float
    list_price_per_hour: float
    power_kw: float
    source: str = ""
    assumed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pool:
    """A homogeneous group of nodes inside one centre."""

    id: str
    centre_id: str
    accelerator: Accelerator
    nodes: int
    accelerators_per_node: int
    stacks: frozenset[str]
    price_per_hour: float
    domestic: bool

    @property
    def capacity(self) -> int:
        return self.nodes * self.accelerators_per_node

    @property
    def model(self) -> str:
        return self.accelerator.model


@dataclass(frozen=True, slots=True)
class Centre:
    """A compute centre: public, commercial, partner cloud or cross-region."""

    id: str
    name: str
    kind: CentreKind
    region: str
    latency_ms: float
    bandwidth_gbps: float
    pue: float
    carbon_kg_per_kwh: float
    spill_tier: int
    pools: tuple[Pool, ...]


@dataclass(frozen=True, slots=True)
class Federation:
    """Centres scheduled as one pool of pools."""

    name: str
    centres: tuple[Centre, ...]
    pools: tuple[Pool, ...] = field(init=False)
    pool_ids: tuple[str, ...] = field(init=False, repr=False, compare=False)
    centre_by_id: Mapping[str, Centre] = field(init=False, repr=False, compare=False)
    pool_index: Mapping[str, int] = field(init=False, repr=False, compare=False)
    centre_position: Mapping[str, int] = field(init=False, repr=False, compare=False)
    # Memo of derived, immutable facts (which pools can host a job signature); never state.
    compat_cache: dict[tuple[object, ...], tuple[int, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        pools = tuple(p for c in self.centres for p in c.pools)
        object.__setattr__(self, "pools", pools)
        object.__setattr__(self, "pool_ids", tuple(p.id for p in pools))
        object.__setattr__(self, "centre_by_id", MappingProxyType({c.id: c for c in self.centres}))
        object.__setattr__(
            self, "pool_index", MappingProxyType({p.id: i for i, p in enumerate(pools)})
        )
        object.__setattr__(self, "compat_cache", {})
        object.__setattr__(
            self,
            "centre_position",
            MappingProxyType({c.id: i for i, c in enumerate(self.centres)}),
        )

    @property
    def capacity(self) -> int:
        return sum(p.capacity for p in self.pools)


@dataclass(frozen=True, slots=True)
class Job:
    """A unit of work submitted by a tenant.

    ``stacks`` is the set of software stacks the job's code can run on; empty means portable
    (framework-level code with vendor back-ends). ``models`` restricts accelerator models;
    empty means any compatible one. ``accelerators`` may be fractional (< 1) for a shared
    accelerator (Alibaba openb). ``gang`` jobs need all accelerators at once in one pool;
    non-gang jobs may be split across pools of one centre, all pieces starting together.
    """

    id: str
    tenant: str
    submit_time: float
    work: float
    accelerators: float = 1.0
    kind: JobKind = JobKind.TRAINING
    min_memory_gb: float = 0.0
    models: frozenset[str] = frozenset()
    stacks: frozenset[str] = frozenset()
    gang: bool = True
    estimate: float | None = None
    speedups: Mapping[str, float] = field(default_factory=empty_mapping, compare=False)
    deadline: float | None = None
    priority: int = 0
    preemptible: bool = True
    data_centre: str | None = None
    data_gb: float = 0.0
    budget: float | None = None
    job_type: str = ""

    @property
    def estimated_work(self) -> float:
        """What a non-oracle policy may know about the job's length."""
        return self.estimate if self.estimate is not None else self.work


@dataclass(frozen=True, slots=True)
class Placement:
    """Run ``job_id`` on ``accelerators`` of ``pool_id`` for ``share`` of the time."""

    job_id: str
    pool_id: str
    accelerators: float
    share: float = 1.0
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Preemption:
    job_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Unschedulable:
    job_id: str
    reason: str


@dataclass(frozen=True, slots=True, eq=False)
class TimeShares:
    """Whole jobs on time shares of pools, in bulk (the time-sharing policies' answer).

    Entry ``e`` runs job ``jobs[row[e]]``, holding all of its accelerators, on pool
    ``pool_ids[pool[e]]`` for a fraction ``share[e]`` of the time: the same as
    ``Placement(job.id, pool_id, job.accelerators, share)``. Every listed job has at least one
    entry; a job's shares add up to at most 1. ``pool_ids`` is normally the federation's
    ``pool_ids``, so ``pool`` holds federation pool indices. Arrays are never mutated.

    ``job_sizes`` (optional) hands over the jobs' sizes when the caller already has them as an
    array (``sizes_given``); ``check_allocation`` then compares them with the jobs, so a wrong
    array is rejected. Without it ``size`` is taken from the jobs.
    """

    jobs: tuple[Job, ...]
    pool_ids: tuple[str, ...]
    row: np.ndarray  # int64, one per entry: index into ``jobs``
    pool: np.ndarray  # int64, one per entry: index into ``pool_ids``
    share: np.ndarray  # float64, one per entry, in (0, 1]
    reason: str = ""
    job_sizes: InitVar[np.ndarray | None] = None
    size: np.ndarray = field(init=False, repr=False)  # accelerators of each listed job
    sizes_given: bool = field(init=False, repr=False, default=False)
    _held: np.ndarray | None = field(init=False, repr=False, default=None)

    def __post_init__(self, job_sizes: np.ndarray | None) -> None:
        jobs = self.jobs
        if job_sizes is None:
            job_sizes = np.fromiter([j.accelerators for j in jobs], float, len(jobs))
        else:
            object.__setattr__(self, "sizes_given", True)
        object.__setattr__(self, "size", job_sizes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TimeShares):
            return NotImplemented
        return (
            self.jobs == other.jobs
            and self.pool_ids == other.pool_ids
            and self.reason == other.reason
            and np.array_equal(self.row, other.row)
            and np.array_equal(self.pool, other.pool)
            and np.array_equal(self.share, other.share)
        )

    __hash__ = None  # type: ignore[assignment]

    def held(self) -> np.ndarray:
        """Accelerators held per pool (``len(pool_ids)``), time-weighted: sum of size x share.

        Computed once (the arrays never change); callers must not modify the result."""
        if self._held is None:
            weights = self.size[self.row] * self.share
            held = np.bincount(self.pool, weights=weights, minlength=len(self.pool_ids))
            object.__setattr__(self, "_held", held)
            return held
        return self._held

    def placements(self) -> tuple[Placement, ...]:
        """The entries as ``Placement`` objects, in entry order (for reports and tests)."""
        jobs, ids = self.jobs, self.pool_ids
        return tuple(
            Placement(jobs[r].id, ids[i], jobs[r].accelerators, s, self.reason)
            for r, i, s in zip(
                self.row.tolist(), self.pool.tolist(), self.share.tolist(), strict=True
            )
        )


@dataclass(frozen=True, slots=True)
class Allocation:
    """A policy's answer for one scheduling round.

    ``placements`` start pending jobs or replace the placements of running jobs (a running job
    that is not mentioned keeps its placement); ``shares`` does the same, in bulk, for the jobs
    it lists (time-sharing policies). A job appears in at most one of ``placements``,
    ``shares`` and ``preemptions``. ``preemptions`` stop running jobs and return them to the
    queue with their progress kept.
    """

    placements: tuple[Placement, ...] = ()
    preemptions: tuple[Preemption, ...] = ()
    unschedulable: tuple[Unschedulable, ...] = ()
    shares: TimeShares | None = None

    def all_placements(self) -> tuple[Placement, ...]:
        """``placements`` followed by ``shares`` as placements."""
        if self.shares is None:
            return self.placements
        return self.placements + self.shares.placements()


@dataclass(frozen=True, slots=True)
class RunningJob:
    job: Job
    placements: tuple[Placement, ...]
    started: float
    remaining_work: float
    expected_end: float


@dataclass(frozen=True, slots=True)
class PoolState:
    pool: Pool
    free: float
    up: bool = True


@dataclass(frozen=True, slots=True)
class TenantAccount:
    """A tenant's fair-share weight (its quota)."""

    tenant: str
    quota: float = 1.0


@dataclass(frozen=True, slots=True)
class SchedulerState:
    """Everything a policy may look at. Mappings are read-only views.

    Running jobs are in ``running`` (placements) or, for jobs on time shares handed out as
    ``TimeShares``, in ``shared`` (never both). ``attained`` is the accelerator-seconds of
    service each job received before its current run (kept through preemption; for jobs in
    ``shared``, up to ``now``); ``usage`` is accelerators in use per tenant and model;
    ``domestic_hours`` and ``total_hours`` are the accelerator-hours delivered so far, for
    policies with a domestic-share target.
    """

    now: float
    federation: Federation
    pools: tuple[PoolState, ...]
    pending: tuple[Job, ...]
    running: Mapping[str, RunningJob]
    attained: Mapping[str, float] = field(default_factory=empty_mapping, compare=False)
    tenants: Mapping[str, TenantAccount] = field(default_factory=empty_mapping, compare=False)
    usage: Mapping[str, Mapping[str, float]] = field(default_factory=empty_mapping, compare=False)
    domestic_hours: float = 0.0
    total_hours: float = 0.0
    shared: TimeShares | None = field(default=None, compare=False)

    def running_ids(self) -> set[str]:
        """Ids of every running job, with placements or on time shares."""
        ids = set(self.running)
        if self.shared is not None:
            ids.update(job.id for job in self.shared.jobs)
        return ids

    def attained_service(self, job_id: str) -> float:
        """Accelerator-seconds of service ``job_id`` has received up to ``now``."""
        done = self.attained.get(job_id, 0.0)
        running = self.running.get(job_id)
        if running is not None:
            held = sum(p.accelerators * p.share for p in running.placements)
            done += max(0.0, self.now - running.started) * held
        return done
