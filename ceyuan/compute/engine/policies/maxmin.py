"""Max-min fairness by time sharing: heterogeneity-agnostic and Gavel-style heterogeneity-aware.

Both policies compute a time-share matrix X (job j holds its whole gang of s_j accelerators of
type k for a fraction X_jk of the time) and return it as placements with ``share`` = X_jk. A
type is a set of pools with the same accelerator model and software stacks; n_k is its capacity.
In the simulator shares are applied as exact rates (a fluid model of Gavel's 6-minute round
mechanism, which approximates X by rotating jobs); in production an executor rotates jobs.

Constraints (both): sum_k X_jk <= 1 for each job; sum_j s_j X_jk <= n_k for each type;
X_jk = 0 where job j cannot run on type k.

* ``maxmin`` (agnostic, Gavel's baseline "max_min_fairness"): maximise min_j sum_k X_jk, the
  time share, ignoring speed. The optimum gives every job f = min(1, N / sum_j s_j) with
  N = sum_k n_k; we spread it over types in proportion to n_k, i.e. the type mix is whatever
  the cluster has, as when a speed-blind LP picks any vertex.
* ``gavel_maxmin`` (aware, Gavel's "max_min_fairness_perf"): with T_jk the job's throughput on
  type k and E_j = sum_k T_jk n_k / N its throughput on an equal share of the cluster,
  maximise t subject to sum_k T_jk X_jk / E_j >= t for all j (plus the constraints above);
  a tie-break epsilon * mean_j(sum_k T_jk X_jk / E_j) uses capacity left over at the optimum.
  Jobs with identical (size, throughputs, allowed types) are aggregated into classes, so the
  LP has at most (#classes x #types + 1) variables; it is solved with HiGHS (``lp.py``).

Computation (exact re-arrangements, see docs/compute-engine.md): jobs with one signature share
a row (allowed types, speeds, usable pools), memoised per signature and per job while the types
are unchanged; shares are computed per row, the LP's classes are formed from rows, and the LP's
answer is memoised on its data (classes, class sizes, capacities). The pool pass fills each
type's pools in order with a start pointer per (row, type), linear in the number of jobs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from ..jobs import EPS, compatible_pool_indices, speed, unschedulable_reason
from ..model import (
    Allocation,
    Federation,
    Job,
    Placement,
    Preemption,
    SchedulerState,
    Unschedulable,
)
from .base import policy
from .lp import solve_lp

_MIN_SHARE = 1e-6


@dataclass(slots=True)
class _Type:
    key: tuple[str, frozenset[str]]
    pools: list[int]
    capacity: float


class _TimeSharing(ABC):
    name: ClassVar[str] = "timesharing"
    round_interval: float | None = None
    time_sharing: ClassVar[bool] = True

    def __init__(self) -> None:
        self.options: Mapping[str, Any] = MappingProxyType({})
        self.reason = f"{self.name}: time share from the max-min allocation"
        # Memos of derived data only, so results never depend on them: per-signature rows and
        # each job's row for the current set of types (both reset whenever the types change).
        self._rows_for: tuple[object, ...] = ()
        self._rows: dict[tuple[object, ...], _Row] = {}
        self._job_rows: dict[str, tuple[Job, _Row]] = {}

    @abstractmethod
    def shares(
        self,
        sizes: np.ndarray,
        counts: np.ndarray,
        allowed: np.ndarray,
        speeds: np.ndarray,
        capacity: np.ndarray,
    ) -> np.ndarray:
        """Time share of one job of each row on each type (rows x types).

        Row r stands for ``counts[r]`` jobs of ``sizes[r]`` accelerators that may use the types
        where ``allowed[r]`` holds, at ``speeds[r]``. Jobs with the same row are
        interchangeable, and both policies give them the same shares.
        """

    def allocate(self, state: SchedulerState) -> Allocation:
        fed = state.federation
        index = fed.pool_index
        # Every running job is re-planned, so a pool's room is its free capacity plus what
        # running jobs hold there (failed nodes stay excluded).
        room = [ps.free for ps in state.pools]
        for running in state.running.values():
            for p in running.placements:
                room[index[p.pool_id]] += p.accelerators * p.share
        types: dict[tuple[str, frozenset[str]], _Type] = {}
        for i, ps in enumerate(state.pools):
            if ps.up and room[i] > EPS:
                key = (ps.pool.model, ps.pool.stacks)
                entry = types.setdefault(key, _Type(key, [], 0.0))
                entry.pools.append(i)
                entry.capacity += room[i]
        type_list = list(types.values())
        signature = tuple((t.key, tuple(t.pools)) for t in type_list)
        if signature != self._rows_for:
            self._rows_for, self._rows, self._job_rows = signature, {}, {}
        job_rows = self._job_rows
        unschedulable: list[Unschedulable] = []
        jobs: list[Job] = []
        which: list[int] = []  # each job's position in ``distinct``
        distinct: list[_Row] = []
        position: dict[int, int] = {}  # id(row) -> position; rows stay alive in ``distinct``
        for job in [*(r.job for r in state.running.values()), *state.pending]:
            known = job_rows.get(job.id)
            if known is not None and known[0] is job:
                row = known[1]
            else:
                row = self._row_of(fed, job, type_list)
                job_rows[job.id] = (job, row)
            if not row.schedulable:
                reason = unschedulable_reason(fed, job)
                if reason is not None and job.id not in state.running:
                    unschedulable.append(Unschedulable(job.id, reason))
                    continue
                if job.id not in state.running:
                    continue  # it waits for its pools to come back
                # a running job whose pools are down gets no share (preempted)
            at = position.get(id(row))
            if at is None:
                at = position[id(row)] = len(distinct)
                distinct.append(row)
            jobs.append(job)
            which.append(at)
        if len(self._rows) > 100_000:
            self._rows = {}
        if len(job_rows) > 4 * len(jobs) + 10_000:  # forget finished jobs
            current = {job.id for job in jobs}
            self._job_rows = {k: v for k, v in job_rows.items() if k in current}
        if not jobs or not type_list:
            return Allocation(unschedulable=tuple(unschedulable))
        counts = np.bincount(np.array(which, dtype=np.intp), minlength=len(distinct))
        x = self.shares(
            np.array([r.size for r in distinct]),
            counts,
            np.array([r.allowed for r in distinct], dtype=bool),
            np.array([r.speeds for r in distinct]),
            np.array([t.capacity for t in type_list]),
        )
        placements, zero = self._to_pools(fed, jobs, which, distinct, x, room)
        preemptions = tuple(
            Preemption(job_id, f"{self.name}: no time share this round")
            for job_id in zero
            if job_id in state.running
        )
        return Allocation(tuple(placements), preemptions, tuple(unschedulable))

    def _row_of(self, fed: Federation, job: Job, type_list: Sequence[_Type]) -> _Row:
        row_key = (
            job.models,
            job.stacks,
            job.min_memory_gb,
            job.accelerators,
            job.gang,
            tuple(job.speedups.items()),
        )
        row = self._rows.get(row_key)
        if row is None:
            row = self._rows[row_key] = _row(fed, job, type_list)
        return row

    def _to_pools(
        self,
        fed: Federation,
        jobs: Sequence[Job],
        which: Sequence[int],
        rows: Sequence[_Row],
        x: np.ndarray,
        free: Sequence[float],
    ) -> tuple[list[Placement], list[str]]:
        """Turn per-type shares into per-pool placements, filling each type's pools in order.

        Room only shrinks during the pass, so a pool too full for a row's job size
        (room / size < _MIN_SHARE) stays too full for every later job of that row: ``first``
        remembers, per row and type, where the pools worth trying start, which keeps the pass
        linear in the number of jobs instead of jobs x pools.
        """
        room = list(free)
        pool_ids = [p.id for p in fed.pools]
        reason = self.reason
        placements: list[Placement] = []
        place = placements.append
        zero: list[str] = []
        # per row: (type, its share, its usable pools) for the types with a share worth placing
        plans = [
            [(k, want, rows[r].usable[k]) for k, want in enumerate(shares) if want >= _MIN_SHARE]
            for r, shares in enumerate(x.tolist())
        ]
        first = [[0] * len(row.usable) for row in rows]
        for job, r in zip(jobs, which, strict=True):
            placed = False
            job_id = job.id
            size = job.accelerators
            start = first[r]
            for k, want, candidates in plans[r]:
                n = start[k]
                while n < len(candidates) and room[candidates[n]] / size < _MIN_SHARE:
                    n += 1
                start[k] = n
                for i in candidates[n:]:
                    # share = min(want, room[i] / size, 1.0), spelt out (hot loop)
                    share = room[i] / size
                    if want < share:
                        share = want
                    if share > 1.0:
                        share = 1.0
                    if share < _MIN_SHARE:
                        continue
                    room[i] -= share * size
                    want -= share
                    placed = True
                    place(Placement(job_id, pool_ids[i], size, share, reason))
                    if want < _MIN_SHARE:
                        break
            if not placed:
                zero.append(job_id)
        return placements, zero


@dataclass(frozen=True, slots=True)
class _Row:
    """A job's view of the types: may it use each, at what speed, on which pools."""

    size: float
    allowed: tuple[bool, ...]
    speeds: tuple[float, ...]
    usable: tuple[tuple[int, ...], ...]
    schedulable: bool


def _row(fed: Federation, job: Job, types: Sequence[_Type]) -> _Row:
    compat = set(compatible_pool_indices(fed, job))
    allowed, speeds, usable = [], [], []
    for t in types:
        pools = tuple(
            i for i in t.pools if i in compat and fed.pools[i].capacity + EPS >= job.accelerators
        )
        allowed.append(bool(pools))
        speeds.append(speed(job, fed.pools[pools[0]]) if pools else 0.0)
        usable.append(pools)
    return _Row(job.accelerators, tuple(allowed), tuple(speeds), tuple(usable), any(allowed))


@policy("maxmin")
class AgnosticMaxMinPolicy(_TimeSharing):
    """Heterogeneity-agnostic max-min fairness (see module docstring).

    Closed form, no LP: every job gets the same total share f = min(1, N / sum_j s_j), spread
    over its allowed types in proportion to their capacity.
    """

    def shares(
        self,
        sizes: np.ndarray,
        counts: np.ndarray,
        allowed: np.ndarray,
        speeds: np.ndarray,
        capacity: np.ndarray,
    ) -> np.ndarray:
        level = min(1.0, float(capacity.sum()) / float((sizes * counts).sum()))
        weights = allowed * capacity[None, :]
        totals = weights.sum(axis=1, keepdims=True)
        result: np.ndarray = level * weights / np.where(totals > 0, totals, 1.0)
        return result


@policy("gavel_maxmin")
class GavelMaxMinPolicy(_TimeSharing):
    """Heterogeneity-aware, throughput-normalised max-min fairness (see module docstring)."""

    def __init__(self, *, epsilon: float = 1e-3) -> None:
        super().__init__()
        self.epsilon = float(epsilon)
        self.options = MappingProxyType({"epsilon": epsilon} if epsilon != 1e-3 else {})
        # Class-level LP answers keyed on the LP's data (classes, counts, capacities): a round
        # whose active set has the same composition as an earlier one reuses the answer.
        self._solved: dict[bytes, np.ndarray] = {}

    def shares(
        self,
        sizes: np.ndarray,
        counts: np.ndarray,
        allowed: np.ndarray,
        speeds: np.ndarray,
        capacity: np.ndarray,
    ) -> np.ndarray:
        keys = np.concatenate([sizes[:, None], np.where(allowed, speeds, -1.0)], axis=1)
        classes, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        c_counts = np.bincount(inverse, weights=counts, minlength=classes.shape[0])
        lp_key = b"".join(
            (
                np.array(classes.shape, dtype=np.int64).tobytes(),
                classes.tobytes(),
                c_counts.tobytes(),
                capacity.tobytes(),
            )
        )
        y = self._solved.get(lp_key)
        if y is None:
            y = self._solve(classes, c_counts, capacity)
            if len(self._solved) >= 4096:
                self._solved.clear()
            self._solved[lp_key] = y
        per_job = y / c_counts[:, None]
        result: np.ndarray = per_job[inverse]
        return result

    def _solve(self, classes: np.ndarray, counts: np.ndarray, capacity: np.ndarray) -> np.ndarray:
        """The class-level LP: Y_ck = sum over the class's jobs of X_jk (module docstring)."""
        n_types = capacity.shape[0]
        n_classes = classes.shape[0]
        c_size = classes[:, 0]
        c_speed = np.maximum(classes[:, 1:], 0.0)
        c_allowed = classes[:, 1:] >= 0
        total = float(capacity.sum())
        equal = (c_speed * capacity[None, :]).sum(axis=1) / total
        equal = np.where(equal > 0, equal, 1.0)
        norm = c_speed / equal[:, None]  # normalised throughput per unit of time share
        var_c, var_k = np.nonzero(c_allowed)
        n_vars = var_c.shape[0]
        # x = [Y_0 .. Y_{n_vars-1}, t]; minimise -t - eps * mean utility
        cost = np.zeros(n_vars + 1)
        cost[:n_vars] = -self.epsilon * norm[var_c, var_k] / counts.sum()
        cost[-1] = -1.0
        rows = 2 * n_classes + n_types
        a = np.zeros((rows, n_vars + 1))
        cols = np.arange(n_vars)
        a[var_c, cols] = -norm[var_c, var_k]
        a[np.arange(n_classes), -1] = counts
        a[n_classes + var_c, cols] = 1.0
        a[2 * n_classes + var_k, cols] = c_size[var_c]
        b = np.concatenate([np.zeros(n_classes), counts, capacity])
        solved = solve_lp(cost, a, b)
        y = np.zeros((n_classes, n_types))
        if solved is not None:
            y[var_c, var_k] = solved[:n_vars]
        return y
