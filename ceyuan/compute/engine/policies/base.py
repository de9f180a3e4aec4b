"""Policy registry and the shared greedy placement loop.

Every policy has one signature: ``allocate(state: SchedulerState) -> Allocation``. Policies
are registered with ``@policy("name")``; the name is the identifier stored in settings, the
database and the UI, and ``make_policy("name:opt=value:flag")`` rebuilds a policy from it.

``GreedyPolicy`` is the common model of the queue-based policies: jobs are taken in the order
of ``sort_key`` and each is placed on the pool with the lowest ``pool_score`` among the
compatible pools with enough free accelerators. Two options combine with every such policy:

* ``backfill`` (EASY): when a job cannot start, it gets a reservation at the earliest time
  enough accelerators free up on one compatible pool (from running jobs' expected ends);
  later jobs may start now only if they do not delay that reservation. Without backfill the
  order is strict: nothing behind a blocked job starts.
* ``preempt``: a blocked job may preempt preemptible running jobs whose ``sort_key`` is
  strictly worse, on the one pool where the fewest victims free enough room.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Protocol

from ..errors import InputError
from ..jobs import EPS, compatible_pool_indices, expected_runtime, speed, unschedulable_reason
from ..model import (
    Allocation,
    Job,
    Placement,
    Pool,
    Preemption,
    RunningJob,
    SchedulerState,
    Unschedulable,
)


class Policy(Protocol):
    """A scheduling policy: one snapshot in, one allocation out, no side effects."""

    name: ClassVar[str]
    options: Mapping[str, Any]
    #: If set, the scheduler is also called every ``round_interval`` seconds (time slicing,
    #: service-based priorities); otherwise only when jobs arrive, finish or capacity changes.
    round_interval: float | None
    #: Capability: the policy re-plans running jobs too (time sharing), so it must be called
    #: when jobs finish even if nothing is pending.
    time_sharing: ClassVar[bool]

    def allocate(self, state: SchedulerState) -> Allocation: ...


PolicyFactory = Callable[..., Policy]
_REGISTRY: dict[str, PolicyFactory] = {}


def policy(name: str) -> Callable[[type[Any]], type[Any]]:
    """Register a policy class under ``name`` (the id used in settings, DB and UI)."""

    def register(cls: type[Any]) -> type[Any]:
        if name in _REGISTRY:
            raise ValueError(f"policy {name!r} is registered twice")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return register


def registered_policies() -> Mapping[str, PolicyFactory]:
    return MappingProxyType(_REGISTRY)


def make_policy(spec: str) -> Policy:
    """Build a policy from ``name[:key=value|:flag]...``, e.g. ``priority:backfill:preempt``.

    The construction arguments are kept on ``policy.options`` so a run can be rebuilt from
    its result log.
    """
    name, *parts = spec.strip().split(":")
    factory = _REGISTRY.get(name)
    if factory is None:
        known = ", ".join(sorted(_REGISTRY))
        raise InputError("--policy", f"unknown policy {name!r}; known: {known}", field=spec)
    options: dict[str, Any] = {}
    for part in parts:
        key, sep, value = part.partition("=")
        options[key] = _option_value(value) if sep else True
    try:
        return factory(**options)
    except (TypeError, ValueError) as exc:
        raise InputError("--policy", f"bad options for {name!r}: {exc}", field=spec) from exc


def _option_value(text: str) -> Any:
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def policy_label(p: Policy) -> str:
    """The spec string that rebuilds ``p`` (``make_policy(policy_label(p))``)."""
    parts = [p.name]
    for key, value in sorted(p.options.items()):
        parts.append(key if value is True else f"{key}={value}")
    return ":".join(parts)


@dataclass(slots=True)
class _Reservation:
    pool: int
    start: float
    spare: float


class GreedyPolicy:
    """Ordered greedy placement with optional EASY backfill and preemption (see module doc)."""

    name: ClassVar[str] = "greedy"
    round_interval: float | None = None
    time_sharing: ClassVar[bool] = False
    #: True when ``admissible`` depends on more than the job's requirements (budgets), so a
    #: failed placement cannot be remembered for other jobs with the same requirements.
    has_admissible_hook: ClassVar[bool] = False

    def __init__(self, *, backfill: bool = False, preempt: bool = False) -> None:
        self.backfill = backfill
        self.preempt = preempt
        self.options: Mapping[str, Any] = MappingProxyType(
            {k: v for k, v in (("backfill", backfill), ("preempt", preempt)) if v}
        )

    # -- hooks -------------------------------------------------------------------------
    def sort_key(self, job: Job, state: SchedulerState) -> tuple[float, ...]:
        """Order of service; smaller first. Default: submission time (FIFO)."""
        return (job.submit_time,)

    def ordered(self, state: SchedulerState) -> Iterable[Job]:
        return sorted(state.pending, key=lambda j: self.sort_key(j, state))

    def pool_score(self, job: Job, pool: Pool, state: SchedulerState) -> tuple[float, ...]:
        """Which compatible pool with room to prefer; smaller first.

        Default: shortest expected run time (data transfer ignored), then price.
        """
        return (job.estimated_work / speed(job, pool), pool.price_per_hour)

    def admissible(self, job: Job, pool: Pool, state: SchedulerState) -> bool:
        """Extra per-policy constraint on a pool (budgets); default: any compatible pool."""
        return True

    def reason(self, job: Job, pool: Pool, state: SchedulerState) -> str:
        return f"{self.name}: next in order; {pool.id} is the fastest free compatible pool"

    # -- the loop ----------------------------------------------------------------------
    def allocate(self, state: SchedulerState) -> Allocation:
        run = _Round(self, state)
        for job in self.ordered(state):
            if not run.consider(job):
                break
        return run.result()


class _Round:
    """One greedy pass; holds the free capacity as it is handed out."""

    def __init__(self, owner: GreedyPolicy, state: SchedulerState) -> None:
        self.owner = owner
        self.state = state
        self.fed = state.federation
        self.free = [ps.free if ps.up else 0.0 for ps in state.pools]
        self.placements: list[Placement] = []
        self.preemptions: list[Preemption] = []
        self.unschedulable: list[Unschedulable] = []
        self.blocked: set[tuple[object, ...]] = set()
        self.reservation: _Reservation | None = None
        self.reserved = False
        self.preempted: set[str] = set()
        self.total_free = sum(self.free)

    def result(self) -> Allocation:
        return Allocation(
            tuple(self.placements), tuple(self.preemptions), tuple(self.unschedulable)
        )

    def consider(self, job: Job) -> bool:
        """Try to place ``job``; return False when the pass must stop (strict order)."""
        outcome = self.attempt(job)
        if outcome != "blocked":
            return True
        if not self.owner.backfill:
            return False
        if not self.reserved:  # EASY: only the first blocked job gets a reservation
            self.reserved = True
            self.reservation = self.reserve(job, compatible_pool_indices(self.fed, job))
        return True

    def attempt(self, job: Job) -> str:
        """Place ``job`` now if possible: ``placed``, ``dropped`` (unschedulable) or ``blocked``."""
        candidates = compatible_pool_indices(self.fed, job)
        if not candidates or not job.gang:
            reason = unschedulable_reason(self.fed, job)
            if reason is not None:
                self.unschedulable.append(Unschedulable(job.id, reason))
                return "dropped"
        size = job.accelerators
        key = (job.models, job.stacks, job.min_memory_gb, size, job.gang, job.data_centre)
        chosen = None
        if key not in self.blocked and size <= self.total_free + EPS:
            chosen = self.choose(job, candidates)
        if chosen is None:
            if not self.owner.has_admissible_hook:
                self.blocked.add(key)
            if self.owner.preempt and self.try_preempt(job, candidates):
                return "placed"
            return "blocked"
        if self.reservation is not None and not self.respects_reservation(job, chosen):
            return "skipped"
        self.commit(job, chosen, self.owner.reason(job, self.fed.pools[chosen[0][0]], self.state))
        return "placed"

    def choose(self, job: Job, candidates: Sequence[int]) -> list[tuple[int, float]] | None:
        owner, state, pools, free = self.owner, self.state, self.fed.pools, self.free
        size = job.accelerators
        best: tuple[float, ...] | None = None
        best_index = -1
        for i in candidates:
            if free[i] + EPS >= size and owner.admissible(job, pools[i], state):
                score = owner.pool_score(job, pools[i], state)
                if best is None or score < best:
                    best, best_index = score, i
        if best is not None:
            return [(best_index, size)]
        if job.gang:
            return None
        return self.split(job, candidates)

    def split(self, job: Job, candidates: Sequence[int]) -> list[tuple[int, float]] | None:
        """Non-gang job: spread over pools of one centre, best-scored pools first."""
        owner, state, pools = self.owner, self.state, self.fed.pools
        by_centre: dict[str, list[int]] = {}
        for i in candidates:
            if self.free[i] >= 1.0 and owner.admissible(job, pools[i], state):
                by_centre.setdefault(pools[i].centre_id, []).append(i)
        for members in by_centre.values():
            if sum(self.free[i] for i in members) + EPS < job.accelerators:
                continue
            members.sort(key=lambda i: owner.pool_score(job, pools[i], state))
            need, parts = job.accelerators, []
            for i in members:
                take = min(need, float(int(self.free[i])))
                if take > 0:
                    parts.append((i, take))
                    need -= take
                if need <= EPS:
                    return parts
        return None

    def commit(self, job: Job, parts: list[tuple[int, float]], reason: str) -> None:
        for i, amount in parts:
            self.free[i] -= amount
            self.total_free -= amount
            self.placements.append(Placement(job.id, self.fed.pools[i].id, amount, 1.0, reason))

    # -- EASY backfill -----------------------------------------------------------------
    def reserve(self, job: Job, candidates: Sequence[int]) -> _Reservation | None:
        ends: dict[int, list[tuple[float, float]]] = {i: [] for i in candidates}
        index = self.fed.pool_index
        for running in self.state.running.values():
            for p in running.placements:
                i = index[p.pool_id]
                if i in ends:
                    ends[i].append((running.expected_end, p.accelerators * p.share))
        best: _Reservation | None = None
        for i in candidates:
            if not self.state.pools[i].up:
                continue
            have = self.free[i]
            for end, amount in sorted(ends[i]):
                have += amount
                if have + EPS >= job.accelerators:
                    if best is None or end < best.start:
                        best = _Reservation(i, end, have - job.accelerators)
                    break
        return best

    def respects_reservation(self, job: Job, parts: list[tuple[int, float]]) -> bool:
        res = self.reservation
        assert res is not None
        on_reserved = sum(a for i, a in parts if i == res.pool)
        if on_reserved == 0:
            return True
        pool = self.fed.pools[res.pool]
        if self.state.now + expected_runtime(self.fed, job, pool) <= res.start:
            return True
        if on_reserved <= res.spare + EPS:
            res.spare -= on_reserved
            return True
        return False

    # -- preemption --------------------------------------------------------------------
    def try_preempt(self, job: Job, candidates: Sequence[int]) -> bool:
        owner, state = self.owner, self.state
        mine = owner.sort_key(job, state)
        index = self.fed.pool_index
        victims: dict[int, list[tuple[tuple[float, ...], str, float]]] = {i: [] for i in candidates}
        for running in state.running.values():
            if not running.job.preemptible or running.job.id in self.preempted:
                continue
            theirs = owner.sort_key(running.job, state)
            if not theirs > mine:
                continue
            for p in running.placements:
                i = index[p.pool_id]
                if i in victims and state.pools[i].up:
                    victims[i].append((theirs, running.job.id, p.accelerators * p.share))
        best: tuple[int, list[str]] | None = None
        for i, found in victims.items():
            if not found or not owner.admissible(job, self.fed.pools[i], state):
                continue
            have, chosen = self.free[i], []
            for _key, vid, amount in heapq.nlargest(len(found), found):
                if have + EPS >= job.accelerators:
                    break
                have += amount
                chosen.append(vid)
            if have + EPS >= job.accelerators and (best is None or len(chosen) < len(best[1])):
                best = (i, chosen)
        if best is None:
            return False
        pool_i, chosen_ids = best
        for vid in chosen_ids:
            self.preempted.add(vid)
            for p in state.running[vid].placements:
                i = index[p.pool_id]
                freed = p.accelerators * p.share
                self.free[i] += freed
                self.total_free += freed
            self.preemptions.append(Preemption(vid, f"{owner.name}: preempted for {job.id}"))
        self.commit(
            job,
            [(pool_i, job.accelerators)],
            f"{owner.name}: preempted {len(chosen_ids)} lower-ranked job(s) on "
            f"{self.fed.pools[pool_i].id}",
        )
        return True


def running_on(state: SchedulerState) -> dict[str, list[RunningJob]]:
    """Running jobs by pool id (helper for policies that look at placements)."""
    result: dict[str, list[RunningJob]] = {}
    for running in state.running.values():
        for p in running.placements:
            result.setdefault(p.pool_id, []).append(running)
    return result
