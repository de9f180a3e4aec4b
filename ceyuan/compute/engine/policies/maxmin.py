"""Max-min fairness by time sharing: heterogeneity-agnostic and Gavel-style heterogeneity-aware.

Both policies compute a time-share matrix X (job j holds its whole gang of s_j accelerators of
type k for a fraction X_jk of the time) and return it in bulk, as one ``TimeShares`` (one
entry per job and pool, share = X_jk on a pool of type k), not as ``Placement`` objects. A
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
  When every job fits on its fastest type at once, that is the optimum and no LP is solved.
  Jobs with identical (size, throughputs, allowed types) are aggregated into classes, so the
  LP has at most (#classes x #types + 1) variables; it keeps classes whose jobs have left
  (held at 0) so that its structure mostly stays the same from round to round, and is
  solved with HiGHS (``lp.py``),
  warm-started from the basis of the policy's previous LP: the answer is an optimum of the LP,
  but where the LP has several optimal vertices which one comes back depends on the LPs this
  policy instance solved before (deterministic for the same sequence of states).

Computation (exact re-arrangements, see docs/compute-engine.md): jobs with one signature share
a row (allowed types, speeds, usable pools), memoised per signature and per job while the types
are unchanged; shares are computed per row, the LP's classes are formed from rows, and the LP's
answer is memoised on its data (classes, class sizes, capacities). The pool pass fills each
type's pools in order as a fluid fill computed with array operations (``_to_pools``); pieces
under 1e-6 of the time are dropped, so it may differ from a job-by-job pass by less than that.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, count
from operator import attrgetter, is_not
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np

from ..jobs import EPS, compatible_pool_indices, speed, unschedulable_reason
from ..model import (
    Allocation,
    Federation,
    Job,
    Preemption,
    SchedulerState,
    TimeShares,
    Unschedulable,
)
from .base import policy
from .lp import SparseLp, WarmStartLp

_MIN_SHARE = 1e-6
_NO_ARRAYS = (np.zeros(0), np.zeros((0, 0), dtype=bool), np.zeros((0, 0)))
_UID = attrgetter("uid")


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
        self._types: list[_Type] = []
        self._rows: dict[tuple[object, ...], _Row] = {}
        self._row_list: list[_Row] = []  # by uid
        self._unschedulable_rows = 0  # how many rows of ``_row_list`` no type can host
        # size, allowed and speeds of every row in ``_row_list``, as arrays indexed by uid
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] = _NO_ARRAYS
        self._job_rows: dict[str, tuple[Job, _Row]] = {}
        # each type's pool when every type has exactly one pool (Gavel's cluster), else None
        self._single: np.ndarray | None = None
        # the jobs of the last answer that gave every job a share, and their rows
        self._last: tuple[tuple[Job, ...], list[_Row]] = ((), [])
        # the usable pools (up, with room) of the last call, their federation and their types
        self._usable: list[int] = []
        self._usable_fed: Federation | None = None
        self._type_list: list[_Type] = []
        self._signature: tuple[object, ...] = ()

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
        interchangeable, and both policies give them the same shares. A row with
        ``counts[r] == 0`` stands for no job: its shares are not used, and it must not change
        the other rows' shares.
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
        shared = state.shared
        shared_jobs: tuple[Job, ...] = ()
        if shared is not None and shared.jobs:
            shared_jobs = shared.jobs
            held = shared.held().tolist()
            if shared.pool_ids is fed.pool_ids:
                room = [r + h for r, h in zip(room, held, strict=True)]
            else:
                for pool_id, h in zip(shared.pool_ids, held, strict=True):
                    room[index[pool_id]] += h
        # The types are made of the pools that are up and have room; their structure is kept
        # while that set of pools (and the federation) stays the same.
        usable = [i for i, ps in enumerate(state.pools) if ps.up and room[i] > EPS]
        if usable != self._usable or fed is not self._usable_fed:
            types: dict[tuple[str, frozenset[str]], _Type] = {}
            for i in usable:
                pool = fed.pools[i]
                key = (pool.model, pool.stacks)
                types.setdefault(key, _Type(key, [], 0.0)).pools.append(i)
            self._usable, self._usable_fed = usable, fed
            self._type_list = list(types.values())
            self._signature = tuple((t.key, tuple(t.pools)) for t in self._type_list)
        type_list = self._type_list
        for t in type_list:
            total = 0.0
            for i in t.pools:
                total += room[i]
            t.capacity = total
        signature = self._signature
        if signature != self._rows_for or len(self._rows) > 100_000:
            self._rows_for, self._rows, self._job_rows = signature, {}, {}
            self._row_list, self._arrays = [], _NO_ARRAYS
            self._unschedulable_rows = 0
            self._last = ((), [])
            self._forget_rows()
            self._single = (
                np.array([t.pools[0] for t in type_list], dtype=np.int64)
                if all(len(t.pools) == 1 for t in type_list)
                else None
            )
        job_rows = self._job_rows
        self._types = type_list  # for ``_fresh_row``
        candidates = [*shared_jobs, *(r.job for r in state.running.values()), *state.pending]
        get = job_rows.get
        # The time-shared jobs are usually the jobs of the last answer (the simulator lists
        # them in the same order), whose rows are known.
        # After a completion they are those jobs less the ones that left, in the same order.
        rows = _rows_kept(shared_jobs, *self._last) if shared_jobs else []
        done = len(rows)
        rows += [
            k[1] if (k := get(job.id)) is not None and k[0] is job else self._fresh_row(fed, job)
            for job in candidates[done:]
        ]
        unschedulable: list[Unschedulable] = []
        jobs = candidates
        running_ids: set[str] | None = None
        if self._unschedulable_rows and not all(row.schedulable for row in rows):
            running_ids = state.running_ids()
            jobs, kept = [], []
            for job, row in zip(candidates, rows, strict=True):
                if not row.schedulable:
                    reason = unschedulable_reason(fed, job)
                    if reason is not None and job.id not in running_ids:
                        unschedulable.append(Unschedulable(job.id, reason))
                        continue
                    if job.id not in running_ids:
                        continue  # it waits for its pools to come back
                    # a running job whose pools are down gets no share (preempted)
                jobs.append(job)
                kept.append(row)
            rows = kept
        if len(job_rows) > 4 * len(jobs) + 10_000:  # forget finished jobs
            current = {job.id for job in jobs}
            self._job_rows = {k: v for k, v in job_rows.items() if k in current}
        if not jobs or not type_list:
            return Allocation(unschedulable=tuple(unschedulable))
        # Shares are computed for every memoised row (rows no current job has get count 0 and
        # their shares are not used), so a job's row is simply its uid.
        every_uid = np.fromiter(map(_UID, rows), np.int64, len(rows))
        counts = np.bincount(every_uid, minlength=len(self._row_list))
        memo = self._arrays
        if memo[0].shape[0] < len(self._row_list):
            every = self._row_list
            memo = self._arrays = (
                np.array([r.size for r in every]),
                np.array([r.allowed for r in every], dtype=bool),
                np.array([r.speeds for r in every]),
            )
        capacity = np.fromiter([t.capacity for t in type_list], float, len(type_list))
        x = self.shares(memo[0], counts, memo[1], memo[2], capacity)
        entry_job, entry_pool, entry_share = _to_pools(
            every_uid, self._row_list, memo[0], counts, x, type_list, room, self._single
        )
        # Jobs without any share stay pending or, if running, are preempted.
        preemptions: tuple[Preemption, ...] = ()
        listed_jobs: tuple[Job, ...]
        if self._single is not None and entry_job.shape[0] == len(jobs) * len(type_list):
            # one pool per type, so at most one entry per job and type: every job has entries
            placed, placed_all = np.ones(0, dtype=bool), True
        else:
            placed = np.bincount(entry_job, minlength=len(jobs)) > 0
            placed_all = bool(placed.all())
        if placed_all:
            listed_jobs, entry_row = tuple(jobs), entry_job
            self._last = (listed_jobs, rows)
        else:
            listed_jobs = tuple(jobs[j] for j in np.flatnonzero(placed).tolist())
            entry_row = (np.cumsum(placed) - 1)[entry_job]
            if running_ids is None:
                running_ids = state.running_ids()
            preemptions = tuple(
                Preemption(jobs[j].id, f"{self.name}: no time share this round")
                for j in np.flatnonzero(~placed).tolist()
                if jobs[j].id in running_ids
            )
        time_shares = TimeShares(
            jobs=listed_jobs,
            pool_ids=fed.pool_ids,
            row=entry_row.astype(np.int64, copy=False),
            pool=entry_pool,
            share=entry_share,
            reason=self.reason,
        )
        return Allocation((), preemptions, tuple(unschedulable), time_shares)

    def _forget_rows(self) -> None:  # noqa: B027 - a hook: nothing to drop by default
        """Drop what a subclass derived from the rows (called when the row memo is reset)."""

    def _fresh_row(self, fed: Federation, job: Job) -> _Row:
        row = self._row_of(fed, job, self._types)
        self._job_rows[job.id] = (job, row)
        return row

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
            row = self._rows[row_key] = _row(fed, job, type_list, len(self._row_list))
            self._row_list.append(row)
            self._unschedulable_rows += not row.schedulable
        return row


def _rows_kept(jobs: Sequence[Job], last_jobs: Sequence[Job], last_rows: list[_Row]) -> list[_Row]:
    """The rows of ``jobs`` if they are ``last_jobs`` (whose rows are ``last_rows``) with at
    most a few left out, in the same order; else []. Compared by identity, a run at a time."""
    left = len(last_jobs) - len(jobs)
    if not 0 <= left <= 4:
        return []
    rows: list[_Row] = []
    at = 0  # jobs[at + len(skipped)...] is compared with last_jobs[at + skipped...]
    skipped = 0
    while True:
        tail, last_tail = jobs[at:], last_jobs[at + skipped :]
        same = next(compress(count(), map(is_not, tail, last_tail)), len(tail))
        rows += last_rows[at + skipped : at + skipped + same]
        at += same
        if at == len(jobs):
            return rows if len(rows) == len(jobs) else []
        if skipped == left:
            return []
        skipped += 1


def _to_pools(
    rows_of: np.ndarray,
    rows: Sequence[_Row],
    row_size: np.ndarray,
    counts: np.ndarray,
    x: np.ndarray,
    types: Sequence[_Type],
    free: Sequence[float],
    single: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Turn per-type shares into per-pool entries (job, pool, share).

    Job j has row ``rows[rows_of[j]]``; rows have sizes ``row_size``, ``counts`` jobs each and
    per-type shares ``x`` (rows x types).

    Each type's pools are filled in order, jobs in order, each job taking its share of the
    type up to the room left: a fluid fill, so job j's piece of pool i is the overlap of the
    intervals [C_{j-1}, C_j) (cumulative demand share x size) and [R_{i-1}, R_i) (cumulative
    room). Types have disjoint pools, so filling type by type is the same as job by job.
    Pieces under ``_MIN_SHARE`` of the time are dropped. When the jobs of a type may use
    different pools of it (gangs larger than some of its pools), the type is filled job by
    job instead. Entries come out in job order, then type and pool order. ``single``, when
    given, is each type's pool, every type having exactly one (computed here otherwise).
    """
    if single is None and all(len(t.pools) == 1 for t in types):
        single = np.array([t.pools[0] for t in types], dtype=np.int64)
    if single is not None:
        # One pool per type (Gavel's cluster): all types at once.
        pool_of = single
        room = np.array(free)[pool_of]
        wanted = x >= _MIN_SHARE
        total = (counts * row_size) @ np.where(wanted, x, 0.0)
        if (total <= room + np.minimum(1e-9 * (1.0 + room), 5e-7)).all():
            # everything fits (up to rounding, kept under the validator's absolute 1e-6 even
            # for large pools; an oversubscribed cluster is handed out exactly): every job
            # gets what it asks
            if wanted.all():  # every job on every type: entries in job, then type order
                n_jobs, n_types = rows_of.shape[0], pool_of.shape[0]
                entry_job = np.arange(n_jobs).repeat(n_types)
                entry_pool = pool_of[None, :].repeat(n_jobs, axis=0).reshape(-1)
                return entry_job, entry_pool, x[rows_of].ravel()
            entry_job, entry_type = np.nonzero(wanted[rows_of])
            return entry_job, pool_of[entry_type], x[rows_of[entry_job], entry_type]
        size = row_size[rows_of]
        want = x[rows_of]
        demand = want * size[:, None]
        demand[want < _MIN_SHARE] = 0.0
        high = np.cumsum(demand, axis=0)
        pieces = (np.minimum(high, room) - np.minimum(high - demand, room)) / size[:, None]
        entry_job, entry_type = np.nonzero(pieces >= _MIN_SHARE)
        return entry_job, pool_of[entry_type], pieces[entry_job, entry_type]
    size = row_size[rows_of]
    want = x[rows_of]  # jobs x types
    out_job: list[np.ndarray] = []
    out_pool: list[np.ndarray] = []
    out_share: list[np.ndarray] = []
    for k, t in enumerate(types):
        takers = np.flatnonzero(want[:, k] >= _MIN_SHARE)
        if not takers.size:
            continue
        needed = {rows[r].usable[k] for r in np.unique(rows_of[takers]).tolist()}
        if len(needed) == 1:
            pools = np.array(needed.pop(), dtype=np.int64)
            piece = _fill(want[takers, k] * size[takers], np.array([free[i] for i in pools]))
        else:
            pools = np.array(t.pools, dtype=np.int64)
            usable = [rows[r].usable[k] for r in rows_of[takers].tolist()]
            piece = _fill_each(want[takers, k], size[takers], usable, t.pools, free)
        j, i = np.nonzero(piece)
        share = piece[j, i] / size[takers[j]]
        keep = share >= _MIN_SHARE
        out_job.append(takers[j[keep]])
        out_pool.append(pools[i[keep]])
        out_share.append(share[keep])
    if not out_job:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    job = np.concatenate(out_job)
    order = np.argsort(job, kind="stable")
    return job[order], np.concatenate(out_pool)[order], np.concatenate(out_share)[order]


def _fill(demand: np.ndarray, room: np.ndarray) -> np.ndarray:
    """Accelerators each demand takes from each pool (demands x pools), filling in order."""
    c_hi = np.cumsum(demand)
    c_lo = c_hi - demand
    r_hi = np.cumsum(room)
    r_lo = r_hi - room
    if room.size == 1:
        single: np.ndarray = (np.minimum(c_hi, r_hi[0]) - np.minimum(c_lo, r_hi[0]))[:, None]
        return single
    overlap = np.minimum(c_hi[:, None], r_hi[None, :]) - np.maximum(c_lo[:, None], r_lo[None, :])
    result: np.ndarray = np.maximum(overlap, 0.0)
    return result


def _fill_each(
    want: np.ndarray,
    size: np.ndarray,
    usable: Sequence[tuple[int, ...]],
    pools: Sequence[int],
    free: Sequence[float],
) -> np.ndarray:
    """``_fill`` job by job, for jobs that may use different pools of one type."""
    column = {i: c for c, i in enumerate(pools)}
    room = [free[i] for i in pools]
    piece = np.zeros((len(usable), len(pools)))
    for j, (w, s, candidates) in enumerate(zip(want.tolist(), size.tolist(), usable, strict=True)):
        for i in candidates:
            c = column[i]
            amount = min(w * s, room[c])
            if amount <= 0.0:
                continue
            room[c] -= amount
            piece[j, c] = amount
            w -= amount / s
            if w < _MIN_SHARE:
                break
    return piece


@dataclass(frozen=True, slots=True)
class _Row:
    """A job's view of the types: may it use each, at what speed, on which pools."""

    size: float
    allowed: tuple[bool, ...]
    speeds: tuple[float, ...]
    usable: tuple[tuple[int, ...], ...]
    schedulable: bool
    uid: int  # position in the policy's row memo


def _row(fed: Federation, job: Job, types: Sequence[_Type], uid: int) -> _Row:
    compat = set(compatible_pool_indices(fed, job))
    allowed, speeds, usable = [], [], []
    for t in types:
        pools = tuple(
            i for i in t.pools if i in compat and fed.pools[i].capacity + EPS >= job.accelerators
        )
        allowed.append(bool(pools))
        speeds.append(speed(job, fed.pools[pools[0]]) if pools else 0.0)
        usable.append(pools)
    return _Row(job.accelerators, tuple(allowed), tuple(speeds), tuple(usable), any(allowed), uid)


@policy("maxmin")
class AgnosticMaxMinPolicy(_TimeSharing):
    """Heterogeneity-agnostic max-min fairness (see module docstring).

    Closed form, no LP: every job gets the same total share f = min(1, N / sum_j s_j), spread
    over its allowed types in proportion to their capacity.
    """

    def __init__(self) -> None:
        super().__init__()
        # (allowed, capacities, weights, row totals) of the last call: only f changes while
        # the rows and the capacities stay the same
        self._weights: tuple[np.ndarray, bytes, np.ndarray, np.ndarray] | None = None

    def shares(
        self,
        sizes: np.ndarray,
        counts: np.ndarray,
        allowed: np.ndarray,
        speeds: np.ndarray,
        capacity: np.ndarray,
    ) -> np.ndarray:
        level = min(1.0, float(capacity.sum()) / float(sizes @ counts.astype(float)))
        key = capacity.tobytes()
        memo = self._weights
        if memo is None or memo[0] is not allowed or memo[1] != key:
            weights = allowed * capacity
            totals = weights.sum(axis=1)
            totals[totals <= 0.0] = 1.0
            memo = self._weights = (allowed, key, weights, totals)
        result: np.ndarray = memo[2] * (level / memo[3])[:, None]
        return result


@dataclass(frozen=True, slots=True)
class _LpForm:
    """The parts of the class LP that depend only on its classes (``GavelMaxMinPolicy``)."""

    speed: np.ndarray  # classes x types, 0 where not allowed
    var_c: np.ndarray  # class and type of each variable Y_ck
    var_k: np.ndarray
    value: np.ndarray  # variables x 3: the nonzeros of each Y column, -norm left at 0
    index: np.ndarray  # every column's row indices (``SparseLp.index``)
    start: np.ndarray  # ``SparseLp.start``
    kept: np.ndarray | None  # which of the 3 x variables + classes values are nonzeros
    col_keys: np.ndarray
    row_keys: np.ndarray


@policy("gavel_maxmin")
class GavelMaxMinPolicy(_TimeSharing):
    """Heterogeneity-aware, throughput-normalised max-min fairness (see module docstring)."""

    def __init__(self, *, epsilon: float = 1e-3) -> None:
        super().__init__()
        if not 0.0 <= float(epsilon) < 1.0:
            # the tie-break must not outweigh t (and a negative one would reward waste)
            raise ValueError(f"epsilon must be in [0, 1), not {epsilon}")
        self.epsilon = float(epsilon)
        self.options = MappingProxyType({"epsilon": epsilon} if epsilon != 1e-3 else {})
        # Class-level LP answers keyed on the LP's data (classes, counts, capacities): a round
        # whose active set has the same composition as an earlier one reuses the answer.
        self._solved: dict[bytes, np.ndarray] = {}
        # HiGHS, warm-started from the basis of the last LP this policy solved
        self._lp = WarmStartLp()
        # (row arrays' ``allowed``, every class key, class of each row, class ids, which
        # classes can run somewhere), see ``shares``
        self._classes: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = (
            None
        )
        # a stable id per class key ever seen (the LP's column and row keys)
        self._class_id: dict[bytes, int] = {}
        # the last LP's classes (as bytes) and what the LP takes from them alone
        self._last_form: tuple[bytes, _LpForm] | None = None
        # (class ids, ids of the classes in the LP, mask of those classes), see ``_lp_classes``
        self._in_lp: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        # (form, capacities, costs of Y, nonzeros of Y's columns): what the LP takes from the
        # capacities, kept while they and the classes stay the same
        self._per_capacity: tuple[_LpForm, bytes, np.ndarray, np.ndarray] | None = None

    def shares(
        self,
        sizes: np.ndarray,
        counts: np.ndarray,
        allowed: np.ndarray,
        speeds: np.ndarray,
        capacity: np.ndarray,
    ) -> np.ndarray:
        # Each row's class (rows with the same key share it), memoised with the row arrays;
        # classes in lexicographic order of their keys, as ``np.unique`` sorts them.
        memo = self._classes
        if memo is None or memo[0] is not allowed:
            keys = np.concatenate([sizes[:, None], np.where(allowed, speeds, -1.0)], axis=1)
            every_class, class_of = np.unique(keys, axis=0, return_inverse=True)
            ids = self._class_ids(every_class)
            can_run: np.ndarray = np.asarray((every_class[:, 1:] > 0.0).any(axis=1))
            memo = self._classes = (allowed, every_class, class_of.reshape(-1), ids, can_run)
            self._solved.clear()  # its keys hold counts in the order of these classes
        every_class, class_of = memo[1], memo[2]
        every_count = np.bincount(class_of, weights=counts, minlength=every_class.shape[0])
        # Room is a sum of shares, off by float noise from round to round; rounded to 1e-9
        # accelerators (which the pool pass and the validator tolerate) the LP's capacities
        # stay the same while the cluster does.
        capacity = np.round(capacity, 9)
        # The LP keeps classes without jobs (their variables held at 0), so that its structure
        # stays the same from round to round and HiGHS is handed only the counts that changed;
        # it is re-formed when a class with jobs is missing or most of its classes are empty.
        # (Keeping every class seen makes the LP larger and each solve dearer: 2.54 M
        # instructions per round in the Gavel workload, against 2.31 M this way.)
        # A class that no type can run (no allowed type left, e.g. its pools are down, or
        # zero speed on all) gets no share: in the LP it would force t = 0 for everyone.
        in_lp = self._lp_classes(memo[3], (every_count > 0) & memo[4])
        counts_lp = every_count[in_lp]
        lp_key = b"".join((in_lp.tobytes(), counts_lp.tobytes(), capacity.tobytes()))
        y = self._solved.get(lp_key)
        if y is None:
            y = _everyone_fastest(every_class[in_lp], counts_lp, capacity)
        if y is None:
            y = self._solve(every_class[in_lp], counts_lp, capacity, memo[3][in_lp])
            if len(self._solved) >= 4096:
                self._solved.clear()
            self._solved[lp_key] = y
        per_job = np.zeros((every_class.shape[0], capacity.shape[0]))
        per_job[in_lp] = y / np.maximum(counts_lp, 1.0)[:, None]
        result: np.ndarray = per_job[class_of]
        return result

    def _forget_rows(self) -> None:
        # The types changed (or the memo was full): class keys from now on differ from the old
        # ones, so the ids, the LP memos and the last basis start afresh (bounds the id map).
        self._classes = None
        self._class_id = {}
        self._solved.clear()
        self._last_form = None
        self._in_lp = None
        self._per_capacity = None
        self._lp.forget()

    def _lp_classes(self, ids: np.ndarray, present: np.ndarray) -> np.ndarray:
        """Which classes (of ``ids``, the classes' stable ids) the LP is formed over: those of
        the last LP, plus every class with jobs (``present``) when one is missing; only the
        classes with jobs when more of the LP's classes would be empty than have jobs."""
        last = self._in_lp
        if last is None or last[0] is not ids:
            mask = np.isin(ids, last[1]) if last is not None else present
        else:
            mask = last[2]
        if (present & ~mask).any():
            mask = mask | present
        elif int((mask & ~present).sum()) > int(present.sum()):
            mask = present
        if last is None or mask is not last[2]:
            self._in_lp = (ids, ids[mask], mask)
        return mask

    def _class_ids(self, classes: np.ndarray) -> np.ndarray:
        """A stable id per class key (row of ``classes``), for the LP's column and row keys."""
        known = self._class_id
        return np.array(
            [known.setdefault(c.tobytes(), len(known)) for c in classes], dtype=np.int64
        ).reshape(-1)

    def _form(self, classes: np.ndarray, ids: np.ndarray | None) -> _LpForm:
        """What the class LP takes from its classes alone (kept while they stay the same)."""
        key = np.array(classes.shape, dtype=np.int64).tobytes() + classes.tobytes()
        last = self._last_form
        if last is not None and last[0] == key:
            return last[1]
        n_classes = classes.shape[0]
        n_types = classes.shape[1] - 1
        c_size = classes[:, 0]
        c_speed = np.maximum(classes[:, 1:], 0.0)
        var_c, var_k = np.nonzero(classes[:, 1:] >= 0)
        n_vars = var_c.shape[0]
        # Rows: time share of each class (-sum_k norm Y + count t <= 0), jobs of each class
        # (sum_k Y <= count), capacity of each type (sum_c size Y <= n_k). Column Y_ck has
        # its nonzeros in rows c < n_classes + c < 2 n_classes + k, column t in rows
        # 0 .. n_classes - 1: built column-wise directly (``lp.SparseLp``).
        index = np.empty((n_vars, 3), dtype=np.int32)
        index[:, 0] = var_c
        index[:, 1] = var_c + n_classes
        index[:, 2] = var_k + 2 * n_classes
        value = np.empty((n_vars, 3))
        value[:, 0] = 0.0  # -norm, set per LP
        value[:, 1] = 1.0
        value[:, 2] = c_size[var_c]
        all_index = np.concatenate([index.reshape(-1), np.arange(n_classes, dtype=np.int32)])
        per_col = np.full(n_vars + 1, 3, dtype=np.int32)
        per_col[-1] = n_classes
        kept: np.ndarray | None = None
        zero = c_speed[var_c, var_k] == 0.0
        if zero.any():  # a zero speed: no explicit zero -norm entry, as a sparse matrix has
            kept = np.ones(all_index.shape[0], dtype=bool)
            kept[: 3 * n_vars : 3] = ~zero
            per_col[:-1] -= zero
            all_index = all_index[kept]
        start = np.zeros(n_vars + 2, dtype=np.int32)
        np.cumsum(per_col, out=start[1:])
        # Columns and rows named by class (a stable id per class key) and type, so that the
        # next LP starts from this one's basis (``WarmStartLp``).
        if ids is None:
            ids = self._class_ids(classes)
        col_keys = np.empty(n_vars + 1, dtype=np.int64)
        col_keys[:n_vars] = (ids[var_c] << 20) | var_k
        col_keys[-1] = -1
        row_keys = np.concatenate([2 * ids, 2 * ids + 1, -1 - np.arange(n_types)])
        form = _LpForm(c_speed, var_c, var_k, value, all_index, start, kept, col_keys, row_keys)
        self._last_form = (key, form)
        return form

    def _solve(
        self,
        classes: np.ndarray,
        counts: np.ndarray,
        capacity: np.ndarray,
        ids: np.ndarray | None = None,
    ) -> np.ndarray:
        """The class-level LP: Y_ck = sum over the class's jobs of X_jk (module docstring).

        A class without jobs (``counts`` 0) has its variables held at 0 (sum_k Y_ck <= 0) and
        its time-share row lifted (upper bound infinite, coefficient 1 on t). The objective is
        scaled by the number of jobs N (minimise -N t - eps * sum of utilities), which has the
        same optima and leaves every cost but t's the same from round to round. ``ids`` are
        the classes' ids (``_class_ids``), computed here when needed and not given."""
        n_types = capacity.shape[0]
        n_classes = classes.shape[0]
        form = self._form(classes, ids)
        var_c, var_k = form.var_c, form.var_k
        n_vars = var_c.shape[0]
        per_capacity = self._per_capacity
        capacity_key = capacity.tobytes()
        if per_capacity is None or per_capacity[0] is not form or per_capacity[1] != capacity_key:
            total = float(capacity.sum())
            equal = (form.speed * capacity[None, :]).sum(axis=1) / total
            equal = np.where(equal > 0, equal, 1.0)
            # normalised throughput per unit of time share of each variable
            var_norm = form.speed[var_c, var_k] / equal[var_c]
            value = form.value.copy()
            value[:n_vars, 0] = -var_norm
            y_value = value.reshape(-1)
            if form.kept is not None:
                y_value = y_value[form.kept[: 3 * n_vars]]
            per_capacity = (form, capacity_key, -self.epsilon * var_norm, y_value)
            self._per_capacity = per_capacity
        # x = [Y_0 .. Y_{n_vars-1}, t]
        cost = np.empty(n_vars + 1)
        cost[:n_vars] = per_capacity[2]
        cost[-1] = -float(counts.sum())
        empty = counts <= 0.0
        all_value = np.concatenate([per_capacity[3], np.where(empty, 1.0, counts)])
        b = np.concatenate([np.where(empty, np.inf, 0.0), counts, capacity])
        solved = self._lp.solve(
            SparseLp(cost, form.start, form.index, all_value, b, form.col_keys, form.row_keys)
        )
        y = np.zeros((n_classes, n_types))
        if solved is not None:
            y[var_c, var_k] = solved[:n_vars]
        return y


def _everyone_fastest(
    classes: np.ndarray, counts: np.ndarray, capacity: np.ndarray
) -> np.ndarray | None:
    """The class LP's answer (``GavelMaxMinPolicy._solve``) without an LP when every job can
    hold its fastest allowed type all the time, else None.

    That is an optimum: a job's utility sum_k T_jk X_jk / E_j is at most its largest term,
    since sum_k X_jk <= 1; here every job reaches it, so t (the least utility) and the
    tie-break (their mean) are both at their upper bounds. Speeds of types a class may not use
    are -1 in ``classes`` and never chosen while the class can run somewhere."""
    n_classes, n_types = classes.shape[0], capacity.shape[0]
    best = classes[:, 1:].argmax(axis=1)
    demand = np.bincount(best, weights=counts * classes[:, 0], minlength=n_types)
    if not (demand <= capacity).all():
        return None
    y = np.zeros((n_classes, n_types))
    y[np.arange(n_classes), best] = counts
    return y
