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
  LP has at most (#classes x #types + 1) variables; it is solved with HiGHS (scipy).
"""

from __future__ import annotations

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

_MIN_SHARE = 1e-6


@dataclass(slots=True)
class _Type:
    key: tuple[str, frozenset[str]]
    pools: list[int]
    capacity: float


class _TimeSharing:
    name: ClassVar[str] = "timesharing"
    round_interval: float | None = None
    time_sharing: ClassVar[bool] = True

    def __init__(self) -> None:
        self.options: Mapping[str, Any] = MappingProxyType({})
        self.reason = f"{self.name}: time share from the max-min allocation"
        # Memo of per-job rows for the current set of types; derived data only, so results
        # do not depend on it (it is reset whenever the types change).
        self._rows_for: tuple[object, ...] = ()
        self._rows: dict[tuple[object, ...], _Row] = {}

    def shares(
        self, jobs: Sequence[Job], allowed: np.ndarray, speeds: np.ndarray, capacity: np.ndarray
    ) -> np.ndarray:
        raise NotImplementedError

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
            self._rows_for, self._rows = signature, {}
        unschedulable: list[Unschedulable] = []
        jobs: list[Job] = []
        rows: list[_Row] = []
        for job in [*(r.job for r in state.running.values()), *state.pending]:
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
            if not any(row.allowed):
                reason = unschedulable_reason(fed, job)
                if reason is not None and job.id not in state.running:
                    unschedulable.append(Unschedulable(job.id, reason))
                elif job.id in state.running:
                    jobs.append(job)  # its pools are down: it gets no share (preempted)
                    rows.append(row)
                continue  # otherwise it waits for its pools to come back
            jobs.append(job)
            rows.append(row)
        if len(self._rows) > 100_000:
            self._rows = {}
        if not jobs or not type_list:
            return Allocation(unschedulable=tuple(unschedulable))
        allowed = np.array([r.allowed for r in rows], dtype=bool)
        speeds = np.array([r.speeds for r in rows])
        capacity = np.array([t.capacity for t in type_list])
        x = self.shares(jobs, allowed, speeds, capacity)
        placements, zero = self._to_pools(fed, jobs, rows, x, room)
        preemptions = tuple(
            Preemption(job_id, f"{self.name}: no time share this round")
            for job_id in zero
            if job_id in state.running
        )
        return Allocation(tuple(placements), preemptions, tuple(unschedulable))

    def _to_pools(
        self,
        fed: Federation,
        jobs: Sequence[Job],
        rows: Sequence[_Row],
        x: np.ndarray,
        free: Sequence[float],
    ) -> tuple[list[Placement], list[str]]:
        room = list(free)
        pools = fed.pools
        reason = self.reason
        placements: list[Placement] = []
        zero: list[str] = []
        for job, row, shares in zip(jobs, rows, x.tolist(), strict=True):
            placed = False
            size = job.accelerators
            for k, want in enumerate(shares):
                if want < _MIN_SHARE:
                    continue
                for i in row.usable[k]:
                    share = min(want, room[i] / size, 1.0)
                    if share < _MIN_SHARE:
                        continue
                    room[i] -= share * size
                    want -= share
                    placed = True
                    placements.append(Placement(job.id, pools[i].id, size, share, reason))
                    if want < _MIN_SHARE:
                        break
            if not placed:
                zero.append(job.id)
        return placements, zero


@dataclass(frozen=True, slots=True)
class _Row:
    """A job's view of the types: may it use each, at what speed, on which pools."""

    allowed: tuple[bool, ...]
    speeds: tuple[float, ...]
    usable: tuple[tuple[int, ...], ...]


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
    return _Row(tuple(allowed), tuple(speeds), tuple(usable))


@policy("maxmin")
class AgnosticMaxMinPolicy(_TimeSharing):
    """Heterogeneity-agnostic max-min fairness (see module docstring)."""

    def shares(
        self, jobs: Sequence[Job], allowed: np.ndarray, speeds: np.ndarray, capacity: np.ndarray
    ) -> np.ndarray:
        sizes = np.array([j.accelerators for j in jobs])
        level = min(1.0, float(capacity.sum()) / float(sizes.sum()))
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

    def shares(
        self, jobs: Sequence[Job], allowed: np.ndarray, speeds: np.ndarray, capacity: np.ndarray
    ) -> np.ndarray:
        from scipy.optimize import linprog  # heavy import, only for this policy

        sizes = np.array([j.accelerators for j in jobs])
        n_types = capacity.shape[0]
        keys = np.concatenate([sizes[:, None], np.where(allowed, speeds, -1.0)], axis=1)
        classes, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
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
        b = np.concatenate([np.zeros(n_classes), counts.astype(float), capacity])
        solved = linprog(cost, A_ub=a, b_ub=b, bounds=(0, None), method="highs")
        y = np.zeros((n_classes, n_types))
        if solved.status == 0:
            y[var_c, var_k] = solved.x[:n_vars]
        per_job = y / counts[:, None]
        result: np.ndarray = per_job[inverse]
        return result
