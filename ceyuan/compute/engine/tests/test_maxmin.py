"""The time-sharing policies' fast paths give the answers of the plain formulations."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from ceyuan.compute.engine.errors import InputError
from ceyuan.compute.engine.model import (
    Allocation,
    Federation,
    Job,
    Placement,
    PoolState,
    RunningJob,
    SchedulerState,
    TimeShares,
)
from ceyuan.compute.engine.policies import lp, make_policy
from ceyuan.compute.engine.policies import maxmin as maxmin_module
from ceyuan.compute.engine.policies.maxmin import AgnosticMaxMinPolicy, GavelMaxMinPolicy
from ceyuan.compute.engine.scheduler import AllocationError, check_allocation

from .conftest import make_federation

MODELS = ("V100", "P100", "K80")


def _state(
    fed: Federation, jobs: list[Job], free: dict[str, float] | None = None
) -> SchedulerState:
    free = free or {}
    pools = tuple(PoolState(p, free.get(p.id, float(p.capacity))) for p in fed.pools)
    return SchedulerState(
        now=0.0,
        federation=fed,
        pools=pools,
        pending=tuple(jobs),
        running=MappingProxyType({}),
    )


gavel_jobs = st.lists(
    st.tuples(
        st.sampled_from([1.0, 2.0, 4.0]),
        st.sampled_from([(1.0, 0.6, 0.2), (1.0, 0.9, 0.5), (1.0, 0.3, 0.1), (1.0, 1.0, 1.0)]),
    ),
    min_size=1,
    max_size=14,
)
capacities = st.tuples(*(st.sampled_from([4, 8, 12]) for _ in MODELS))


def _gavel_job(n: int, size: float, speeds: tuple[float, ...]) -> Job:
    return Job(
        id=f"j{n}",
        tenant="t",
        submit_time=float(n),
        work=100.0,
        accelerators=size,
        speedups=MappingProxyType(dict(zip(MODELS, speeds, strict=True))),
    )


@settings(max_examples=40, deadline=None)
@given(gavel_jobs, capacities)
def test_class_lp_reaches_the_per_job_max_min_optimum(
    drawn: list[tuple[float, tuple[float, ...]]], caps: tuple[int, ...]
) -> None:
    """One variable per class x type loses nothing against one per job x type.

    The per-job LP is convex and symmetric in the jobs of a class, so averaging any optimum
    over the permutations of each class's jobs gives an optimum where the class's jobs get
    equal shares; that optimum is a solution of the class LP, and back.
    """
    fed = make_federation({"c": [(m, c) for m, c in zip(MODELS, caps, strict=True)]})
    jobs = [_gavel_job(n, size, speeds) for n, (size, speeds) in enumerate(drawn)]
    st_ = _state(fed, jobs)
    alloc = make_policy("gavel_maxmin").allocate(st_)
    check_allocation(st_, alloc)
    n_total = float(sum(caps))
    throughput = np.array([[j.speedups[m] for m in MODELS] for j in jobs])
    equal = throughput @ np.array(caps, dtype=float) / n_total
    norm = throughput / equal[:, None]
    x = np.zeros((len(jobs), len(MODELS)))
    for p in alloc.all_placements():
        x[int(p.job_id[1:]), MODELS.index(p.pool_id.split("-")[-1])] += p.share
    utility = (norm * x).sum(axis=1)
    # the per-job reference LP: variables X_jk then t
    n_j, n_k = len(jobs), len(MODELS)
    eps = 1e-3
    cost = np.concatenate([-eps * norm.reshape(-1) / n_j, [-1.0]])
    a, b = [], []
    for j in range(n_j):
        row = np.zeros(n_j * n_k + 1)
        row[j * n_k : (j + 1) * n_k] = -norm[j]
        row[-1] = 1.0
        a.append(row)
        b.append(0.0)
        row = np.zeros(n_j * n_k + 1)
        row[j * n_k : (j + 1) * n_k] = 1.0
        a.append(row)
        b.append(1.0)
    for k in range(n_k):
        row = np.zeros(n_j * n_k + 1)
        row[k : n_j * n_k : n_k] = [j.accelerators for j in jobs]
        a.append(row)
        b.append(float(caps[k]))
    ref = linprog(cost, A_ub=np.array(a), b_ub=np.array(b), bounds=(0, None), method="highs")
    assert ref.status == 0
    assert utility.min() == pytest.approx(ref.x[-1], abs=1e-6)
    assert utility.min() + eps * utility.mean() == pytest.approx(-ref.fun, abs=1e-6)


def _random_classes(
    rng: np.random.Generator, n_classes: int, n_types: int, *, most: int
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct classes (size, then speed per type, -1 where not allowed; every class may use
    type 0) and 1 to ``most`` jobs in each."""
    sizes = rng.choice([1.0, 2.0, 4.0], size=n_classes)
    speeds = np.where(
        rng.random((n_classes, n_types)) < 0.8,
        rng.choice([0.2, 0.5, 1.0], (n_classes, n_types)),
        -1,
    )
    speeds[:, 0] = np.abs(speeds[:, 0])
    classes = np.unique(np.concatenate([sizes[:, None], speeds], axis=1), axis=0)
    return classes, rng.integers(1, most + 1, size=classes.shape[0]).astype(float)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 5),
    st.integers(1, 4),
    st.integers(0, 2**31 - 1),
)
def test_direct_highs_returns_linprogs_vertex(n_classes: int, n_types: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    policy = GavelMaxMinPolicy()
    classes, counts = _random_classes(rng, n_classes, n_types, most=5)
    capacity = rng.choice([4.0, 8.0, 16.0], size=n_types)
    seen = _record_lps(policy)
    first = policy._solve(classes, counts, capacity)
    (cost, a, b, _, _, answer) = seen[0]
    direct = lp.solve_lp(cost, a, b)
    via_linprog = lp._solve_linprog(cost, a, b)
    assert direct is not None and via_linprog is not None and answer is not None
    np.testing.assert_array_equal(direct, via_linprog)
    # the policy's first LP is solved cold: linprog's vertex
    np.testing.assert_array_equal(answer, via_linprog)
    assert first.sum() > 0.0


def _class_lp_objective(
    classes: np.ndarray, counts: np.ndarray, capacity: np.ndarray, y: np.ndarray
) -> float:
    """N t + eps * sum of utilities of the class LP's answer ``y``, checked feasible first."""
    speed = np.maximum(classes[:, 1:], 0.0)
    assert (y >= -1e-9).all() and (y[classes[:, 1:] < 0] == 0.0).all()
    assert (y.sum(axis=1) <= counts + 1e-9).all()
    assert (classes[:, 0] @ y <= capacity + 1e-9).all()
    equal = (speed * capacity).sum(axis=1) / capacity.sum()
    utility = (speed / np.where(equal > 0, equal, 1.0)[:, None] * y).sum(axis=1)
    t = (utility / counts).min()
    return float(counts.sum() * t + 1e-3 * utility.sum())


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(0, 2**31 - 1))
def test_everyone_on_its_fastest_type_is_an_lp_optimum_when_it_fits(
    n_classes: int, n_types: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    classes, counts = _random_classes(rng, n_classes, n_types, most=3)
    capacity = rng.choice([2.0, 8.0, 32.0], size=n_types)
    fastest = maxmin_module._everyone_fastest(classes, counts, capacity)
    best = np.where(classes[:, 1:] < 0, -np.inf, classes[:, 1:]).argmax(axis=1)
    demand = np.bincount(best, weights=counts * classes[:, 0], minlength=n_types)
    if (demand > capacity).any():
        assert fastest is None
        return
    assert fastest is not None
    solved = GavelMaxMinPolicy()._solve(classes, counts, capacity)
    assert _class_lp_objective(classes, counts, capacity, fastest) == pytest.approx(
        _class_lp_objective(classes, counts, capacity, solved), abs=1e-7
    )


def test_gavel_maxmin_refuses_an_epsilon_outside_zero_to_one() -> None:
    for bad in ("-0.5", "1", "nan"):
        with pytest.raises(InputError, match="epsilon"):
            make_policy(f"gavel_maxmin:epsilon={bad}")
    assert make_policy("gavel_maxmin:epsilon=0").options == {"epsilon": 0}


def test_gavel_maxmin_solves_no_lp_when_every_job_fits_on_its_fastest_type() -> None:
    fed = make_federation({"c": [("V100", 8), ("K80", 8)]})
    jobs = [_gavel_job(n, 2.0, (1.0, 0.5, 0.2)) for n in range(4)]
    policy = GavelMaxMinPolicy()
    seen = _record_lps(policy)
    alloc = policy.allocate(_state(fed, jobs))
    assert seen == []
    assert [(p.pool_id, p.share) for p in alloc.all_placements()] == [("c-0-V100", 1.0)] * 4
    jobs.append(_gavel_job(4, 2.0, (1.0, 0.5, 0.2)))  # 10 V100s wanted, 8 there: the LP
    policy.allocate(_state(fed, jobs))
    assert len(seen) == 1


_Lp = tuple[np.ndarray, np.ndarray, np.ndarray, list[Any], list[Any], np.ndarray | None]


def _record_lps(policy: GavelMaxMinPolicy) -> list[_Lp]:
    """Record every LP ``policy`` hands its warm-started solver (A dense), with the answer."""
    seen: list[_Lp] = []
    solver = policy._lp
    original = solver.solve

    def record(model: lp.SparseLp) -> np.ndarray | None:
        answer = original(model)
        cols, rows = model.col_keys.tolist(), model.row_keys.tolist()
        seen.append((model.cost, model.dense(), model.b_ub, cols, rows, answer))
        return answer

    solver.solve = record  # type: ignore[method-assign]
    return seen


def _class_lps(seed: int, steps: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """A sequence of related class LPs: counts change, classes come and go."""
    rng = np.random.default_rng(seed)
    n_types = int(rng.integers(2, 4))
    speeds = np.where(
        rng.random((12, n_types)) < 0.85, rng.choice([0.2, 0.5, 0.7, 1.0], (12, n_types)), -1.0
    )
    speeds[:, 0] = np.abs(speeds[:, 0])  # every class may use type 0
    sizes = rng.choice([1.0, 2.0, 4.0], size=(12, 1))
    pool = np.unique(np.concatenate([sizes, speeds], axis=1), axis=0)  # distinct classes
    capacity = rng.choice([4.0, 8.0, 16.0], size=n_types)
    counts = np.where(rng.random(pool.shape[0]) < 0.5, rng.integers(1, 5, pool.shape[0]), 0)
    counts[0] = max(counts[0], 1)
    out = []
    for _ in range(steps):
        present = counts > 0
        out.append((pool[present], counts[present].astype(float), capacity))
        c = int(rng.integers(0, pool.shape[0]))
        counts[c] = max(0, counts[c] + int(rng.choice([-1, 1, 1])))
        if not (counts > 0).any():
            counts[c] = 1
    return out


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_warm_started_lps_reach_the_cold_optimum_deterministically(seed: int) -> None:
    lps = _class_lps(seed, 25)
    policy = GavelMaxMinPolicy()
    seen = _record_lps(policy)
    for classes, counts, capacity in lps:
        policy._solve(classes, counts, capacity)
    assert len(seen) == len(lps)
    for cost, a, b, _, _, warm in seen:
        cold = lp.solve_lp(cost, a, b)
        assert warm is not None and cold is not None
        # another vertex may come back, but it is feasible and optimal
        assert (a @ warm - b).max() <= 1e-7 and warm.min() >= -1e-9
        assert cost @ warm == pytest.approx(cost @ cold, rel=1e-7, abs=1e-9)
    again = GavelMaxMinPolicy()
    for (classes, counts, capacity), (*_, warm) in zip(lps, seen, strict=True):
        np.testing.assert_array_equal(again._solve(classes, counts, capacity), _y(warm, classes))


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_classes_without_jobs_keep_the_lp_and_change_no_optimum(seed: int) -> None:
    # The policy forms one LP over every class seen, classes without jobs held at 0: it must
    # reach the optimum of the LP over the classes that have jobs, and keep its structure.
    lps = _class_lps(seed, 20)
    every = np.unique(np.concatenate([classes for classes, _, _ in lps]), axis=0)
    policy = GavelMaxMinPolicy()
    seen = _record_lps(policy)
    position = {c.tobytes(): i for i, c in enumerate(every)}
    for classes, counts, capacity in lps:
        at = np.array([position[c.tobytes()] for c in classes])
        every_count = np.zeros(every.shape[0])
        every_count[at] = counts
        y = policy._solve(every, every_count, capacity)
        assert (y[every_count == 0] == 0.0).all()
        # the same allocation in the LP over the classes with jobs alone: feasible, optimal
        compact = GavelMaxMinPolicy()
        compact_seen = _record_lps(compact)
        compact._solve(classes, counts, capacity)
        cost, a, b, *_, cold = compact_seen[0]
        x = np.concatenate([y[at][classes[:, 1:] >= 0], [0.0]])
        x[-1] = ((_norm_utility(classes, capacity) * y[at]).sum(axis=1) / counts).min()
        assert (a @ x - b).max() <= 1e-7 and x.min() >= -1e-9
        assert cold is not None
        assert cost @ x == pytest.approx(cost @ cold, rel=1e-7, abs=1e-9)
    keys = {(tuple(cols), tuple(rows)) for *_, cols, rows, _ in seen}
    assert len(keys) == 1  # one structure: every LP after the first was changed in place
    last = policy._lp._last
    assert last is not None and np.isinf(last.b_ub).any() == (lps[-1][0].shape[0] < len(every))


def test_lp_classes_grow_with_new_classes_and_shrink_when_mostly_empty() -> None:
    policy = GavelMaxMinPolicy()
    ids = np.arange(40)
    present = np.zeros(40, dtype=bool)
    present[:3] = True
    first = policy._lp_classes(ids, present)
    np.testing.assert_array_equal(first, present)
    # a count changes, no class comes or goes: the same classes (the same array)
    assert policy._lp_classes(ids, present.copy()) is first
    # a new class with jobs joins; one that emptied stays
    later = present.copy()
    later[[0, 5]] = [False, True]
    grown = policy._lp_classes(ids, later)
    np.testing.assert_array_equal(np.flatnonzero(grown), [0, 1, 2, 5])
    # new rows re-number the classes: the LP's classes are found again by their ids
    renumbered = np.concatenate([[99], ids])
    again = policy._lp_classes(renumbered, np.concatenate([[False], later]))
    np.testing.assert_array_equal(np.flatnonzero(again), [1, 2, 3, 6])
    # kept while no more of its classes are empty than have jobs
    many = np.zeros(41, dtype=bool)
    many[1:21] = True
    policy._lp_classes(renumbered, many)
    few = np.zeros(41, dtype=bool)
    few[1:11] = True  # 10 empty, 10 with jobs
    assert policy._lp_classes(renumbered, few).sum() == 20
    few[10] = False  # 11 empty, 9 with jobs
    np.testing.assert_array_equal(policy._lp_classes(renumbered, few), few)


def _norm_utility(classes: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Throughput per unit of time share, over the job's throughput on an equal share."""
    speed = np.maximum(classes[:, 1:], 0.0)
    equal = (speed * capacity).sum(axis=1) / capacity.sum()
    norm: np.ndarray = speed / np.where(equal > 0, equal, 1.0)[:, None]
    return norm


def test_a_class_that_cannot_run_leaves_the_others_max_min_shares_alone() -> None:
    # a job with zero speed on its only type: in the LP it would force t = 0 for everyone
    sizes = np.array([2.0, 2.0, 1.0, 1.0])
    allowed = np.ones((4, 1), dtype=bool)
    speeds = np.array([[1.0], [1.0], [1.0], [0.0]])
    capacity = np.array([4.0])
    alone = GavelMaxMinPolicy().shares(sizes, np.array([1, 1, 1, 0]), allowed, speeds, capacity)
    beside = GavelMaxMinPolicy().shares(sizes, np.array([1, 1, 1, 1]), allowed, speeds, capacity)
    np.testing.assert_allclose(alone[:3], [[0.8], [0.8], [0.8]], atol=1e-9)
    np.testing.assert_allclose(beside, alone, atol=1e-9)
    assert beside[3, 0] == 0.0


def test_gavel_maxmin_starts_its_class_ids_afresh_when_the_types_change() -> None:
    fed = make_federation({"c": [("V100", 8), ("P100", 8), ("K80", 8)]})
    jobs = [_gavel_job(n, 1.0, (1.0, 0.5, 0.2)) for n in range(30)]
    policy = GavelMaxMinPolicy()
    policy.allocate(_state(fed, jobs))
    ids = policy._class_id
    assert ids
    full = policy.allocate(_state(fed, jobs, free={fed.pools[2].id: 0.0}))  # K80 busy
    assert policy._class_id is not ids and len(policy._class_id) == 1
    # the same state again gives the same answer as a fresh policy
    again = GavelMaxMinPolicy().allocate(_state(fed, jobs, free={fed.pools[2].id: 0.0}))
    assert full == again


def test_a_running_job_whose_pools_are_down_is_preempted_without_changing_the_others() -> None:
    fed = make_federation({"own": [("A100", 8), ("H800", 8)]})
    a100, h800 = fed.pools
    pending = tuple(
        Job(f"p{i}", "t", 0.0, 100.0, 8.0 if i < 2 else 4.0, models=frozenset({"A100"}))
        for i in range(3)
    )
    stuck = Job("r", "t", 0.0, 100.0, 8.0, models=frozenset({"H800"}))
    answers = []
    for down in (False, True):
        running = {"r": RunningJob(stuck, (Placement("r", h800.id, 8.0, 1.0),), 0.0, 100.0, 100.0)}
        state = SchedulerState(
            now=1.0,
            federation=fed,
            pools=(PoolState(a100, 8.0), PoolState(h800, 0.0 if down else 8.0, up=not down)),
            pending=pending,
            running=MappingProxyType(running if down else {}),
        )
        allocation = make_policy("gavel_maxmin").allocate(state)
        check_allocation(state, allocation)
        shares = allocation.shares
        assert shares is not None
        pairs = zip(shares.row.tolist(), shares.share.tolist(), strict=True)
        got = {shares.jobs[j].id: round(x, 9) for j, x in pairs}
        answers.append((got, [p.job_id for p in allocation.preemptions]))
    assert answers[0] == ({"p0": 0.4, "p1": 0.4, "p2": 0.4}, [])
    assert answers[1] == ({"p0": 0.4, "p1": 0.4, "p2": 0.4}, ["r"])


def test_class_lp_is_handed_over_as_a_sparse_matrix_without_explicit_zeros() -> None:
    # class 1 may use type 1 at speed 0: its -norm entry is zero and must not be stored
    classes = np.array([[1.0, 1.0, 0.5], [2.0, 0.7, 0.0], [4.0, -1.0, 0.4]])
    policy = GavelMaxMinPolicy()
    seen = _record_lps(policy)
    for counts in ([1.0, 2.0, 1.0], [3.0, 2.0, 1.0]):  # the second reuses the structure
        policy._solve(classes, np.array(counts), np.array([4.0, 8.0]))
    for cost, a, b, _cols, _rows, answer in seen:
        # 5 variables with 3 nonzeros each, t with 3, less the zero
        assert (a != 0).sum() == 3 * 5 + 3 - 1
        assert answer is not None
        cold = lp.solve_lp(cost, a, b)
        assert cold is not None
        assert cost @ answer == pytest.approx(cost @ cold, rel=1e-7, abs=1e-9)
    last = policy._lp._last
    assert last is not None
    np.testing.assert_array_equal(last.dense(), seen[-1][1])
    rebuilt = lp.SparseLp.from_dense(
        last.cost, last.dense(), last.b_ub, last.col_keys, last.row_keys
    )
    np.testing.assert_array_equal(rebuilt.start, last.start)
    np.testing.assert_array_equal(rebuilt.index, last.index)
    np.testing.assert_array_equal(rebuilt.value, last.value)


def test_rows_of_jobs_left_after_completions_are_found_by_identity() -> None:
    jobs = [Job(f"j{i}", "t", 0.0, 10.0) for i in range(6)]
    rows: list[Any] = [f"row{i}" for i in range(6)]
    kept = maxmin_module._rows_kept
    assert kept(jobs, jobs, rows) == rows
    assert kept(jobs[:2] + jobs[3:5], jobs, rows) == ["row0", "row1", "row3", "row4"]
    assert kept(jobs[1:], jobs, rows) == rows[1:]
    assert kept([jobs[1], jobs[0]], jobs, rows) == []  # another order: looked up instead
    assert kept([*jobs[:3], Job("j3", "t", 0.0, 10.0)], jobs, rows) == []  # equal, not the same


def _y(x: np.ndarray | None, classes: np.ndarray) -> np.ndarray:
    """The class time shares Y (classes x types) of an LP answer."""
    assert x is not None
    allowed = classes[:, 1:] >= 0
    y = np.zeros(allowed.shape)
    var_c, var_k = np.nonzero(allowed)
    y[var_c, var_k] = x[: var_c.shape[0]]
    return y


def _naive_to_pools(
    policy: AgnosticMaxMinPolicy, st_: SchedulerState
) -> list[tuple[str, str, float, float]]:
    """The plain pool pass: job by job, every usable pool of each type in order."""
    room = [ps.free for ps in st_.pools]
    fed = st_.federation
    # the closed-form wants, recomputed from the policy's types after its own pass
    rows = {}
    types = policy._rows_for
    out = []
    for job in st_.pending:
        row = policy._row_of(fed, job, [maxmin_module._Type(k, list(p), 0.0) for k, p in types])
        rows[job.id] = row
    capacity = np.array([sum(room[i] for i in pools) for _key, pools in types])
    sizes = np.array([j.accelerators for j in st_.pending])
    level = min(1.0, capacity.sum() / sizes.sum())
    for job in st_.pending:
        row = rows[job.id]
        weights = np.array(row.allowed) * capacity
        wants = (level * weights / (weights.sum() if weights.sum() > 0 else 1.0)).tolist()
        for k, want in enumerate(wants):
            if want < 1e-6:
                continue
            for i in row.usable[k]:
                share = min(want, room[i] / job.accelerators, 1.0)
                if share < 1e-6:
                    continue
                room[i] -= share * job.accelerators
                want -= share
                out.append((job.id, fed.pools[i].id, job.accelerators, share))
                if want < 1e-6:
                    break
    return out


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([1.0, 2.0, 4.0, 8.0]), min_size=1, max_size=60))
def test_fluid_pool_fill_matches_filling_job_by_job(sizes: list[float]) -> None:
    """The array fill (interval overlaps; job by job where a type's pools differ per job)
    gives every job the pieces of the plain pass, up to pieces under 1e-6 of the time."""
    fed = make_federation(
        {
            "a": [("A100", 8), ("A100", 4), ("Ascend-910B", 8)],
            "b": [("A100", 8), ("Ascend-910B", 16)],
        }
    )
    jobs = [Job(f"j{n}", "t", float(n), 100.0, accelerators=s) for n, s in enumerate(sizes)]
    st_ = _state(fed, jobs, free={"a-1-A100": 3.0, "b-1-Ascend-910B": 5.5})
    policy = AgnosticMaxMinPolicy()
    alloc = policy.allocate(st_)
    check_allocation(st_, alloc)
    want = _naive_to_pools(policy, st_)
    got = {(p.job_id, p.pool_id): p.share for p in alloc.all_placements()}
    ref = {(w[0], w[1]): w[3] for w in want}
    assert all(
        p.accelerators == jobs[int(p.job_id[1:])].accelerators for p in alloc.all_placements()
    )
    for key in sorted(set(got) | set(ref)):
        assert got.get(key, 0.0) == pytest.approx(ref.get(key, 0.0), abs=2e-6), key


def test_policy_reused_across_snapshots_answers_like_a_fresh_one() -> None:
    fed = make_federation({"c": [("V100", 8), ("K80", 8)]})
    first = [_gavel_job(n, 1.0, (1.0, 0.5, 0.2)) for n in range(6)]
    # same ids, other sizes and speeds: the per-job row memo must not serve stale rows
    second = [_gavel_job(n, 2.0, (1.0, 0.9, 0.5)) for n in range(6)]
    for name in ("maxmin", "gavel_maxmin"):
        reused = make_policy(name)
        reused.allocate(_state(fed, first))
        assert reused.allocate(_state(fed, second)) == make_policy(name).allocate(
            _state(fed, second)
        )


def test_gavel_maxmin_reuses_the_lp_answer_for_the_same_composition() -> None:
    fed = make_federation({"c": [("V100", 8), ("K80", 8)]})
    jobs = [_gavel_job(n, 1.0, (1.0, 0.5, 0.2)) for n in range(12)]  # more than the V100s
    policy = GavelMaxMinPolicy()
    seen = _record_lps(policy)
    one = policy.allocate(_state(fed, jobs))
    # other job ids, same composition: same LP, same shares
    renamed = [Job(f"r{j.id}", "u", 0.0, 5.0, speedups=j.speedups) for j in jobs]
    two = policy.allocate(_state(fed, renamed))
    assert len(seen) == 1
    assert [p.share for p in one.all_placements()] == [p.share for p in two.all_placements()]
    assert all(isinstance(p, Placement) for p in two.all_placements())


def _shares(jobs: list[Job], fed: Federation, entries: list[tuple[int, int, float]]) -> TimeShares:
    row, pool, share = zip(*entries, strict=True) if entries else ((), (), ())
    return TimeShares(
        jobs=tuple(jobs),
        pool_ids=fed.pool_ids,
        row=np.array(row, dtype=np.int64),
        pool=np.array(pool, dtype=np.int64),
        share=np.array(share, dtype=float),
    )


def test_check_allocation_rejects_broken_time_shares() -> None:
    fed = make_federation({"c": [("A100", 4), ("Ascend-910B", 4)]})  # pools 0 (cuda), 1 (cann)
    cuda = Job("g", "t", 0.0, 100.0, accelerators=4.0, stacks=frozenset({"cuda"}))
    other = Job("h", "t", 0.0, 100.0, accelerators=2.0)
    st_ = _state(fed, [cuda, other])
    check_allocation(
        st_, Allocation(shares=_shares([cuda, other], fed, [(0, 0, 0.5), (1, 0, 1.0)]))
    )
    broken = {
        "cannot run": _shares([cuda], fed, [(0, 1, 0.5)]),  # incompatible stack
        "add up to": _shares([cuda], fed, [(0, 0, 0.7), (0, 0, 0.6)]),  # shares above 1
        "over-allocated": _shares([cuda, other], fed, [(0, 0, 1.0), (1, 0, 0.5)]),
        "listed twice": _shares([cuda, cuda], fed, [(0, 0, 0.5), (1, 0, 0.5)]),
        "without a share": _shares([cuda, other], fed, [(0, 0, 0.5)]),
        "outside": _shares([cuda], fed, [(0, 0, -0.5)]),
        "names no listed": _shares([cuda], fed, [(3, 0, 0.5)]),
        "unknown or finished": _shares([Job("ghost", "t", 0.0, 1.0)], fed, [(0, 0, 0.5)]),
    }
    for message, shares in broken.items():
        with pytest.raises(AllocationError, match=message):
            check_allocation(st_, Allocation(shares=shares))
    # sizes handed over with the shares must be the jobs' sizes
    fine = _shares([cuda, other], fed, [(0, 0, 0.5), (1, 0, 1.0)])
    lying = TimeShares(
        fine.jobs, fine.pool_ids, fine.row, fine.pool, fine.share, job_sizes=np.array([1.0, 2.0])
    )
    with pytest.raises(AllocationError, match="job sizes"):
        check_allocation(st_, Allocation(shares=lying))
    with pytest.raises(AllocationError, match="placement or preemption"):
        check_allocation(
            st_,
            Allocation(
                placements=(Placement("g", fed.pool_ids[0], 4.0),),
                shares=_shares([cuda], fed, [(0, 0, 0.5)]),
            ),
        )
    # a running time-shared job moved to a pool it cannot use is caught too
    running = SchedulerState(
        now=0.0,
        federation=fed,
        pools=(PoolState(fed.pools[0], 2.0), PoolState(fed.pools[1], 4.0)),
        pending=(),
        running=MappingProxyType({}),
        shared=_shares([cuda], fed, [(0, 0, 0.5)]),
    )
    check_allocation(running, Allocation(shares=_shares([cuda], fed, [(0, 0, 1.0)])))
    with pytest.raises(AllocationError, match="listed twice"):  # known job listed again
        check_allocation(
            running, Allocation(shares=_shares([cuda, cuda], fed, [(0, 0, 0.25), (1, 0, 0.25)]))
        )
    with pytest.raises(AllocationError, match="cannot run"):
        check_allocation(
            running, Allocation(shares=_shares([cuda], fed, [(0, 0, 0.5), (0, 1, 0.5)]))
        )
    down = SchedulerState(
        now=0.0,
        federation=fed,
        pools=(PoolState(fed.pools[0], 4.0, up=False), PoolState(fed.pools[1], 4.0)),
        pending=(cuda,),
        running=MappingProxyType({}),
    )
    with pytest.raises(AllocationError, match="down"):
        check_allocation(down, Allocation(shares=_shares([cuda], fed, [(0, 0, 0.5)])))


def test_time_shares_expand_to_the_placements_they_stand_for() -> None:
    fed = make_federation({"c": [("V100", 8), ("K80", 8)]})
    jobs = [_gavel_job(n, 2.0, (1.0, 0.5, 0.2)) for n in range(3)]
    alloc = make_policy("maxmin").allocate(_state(fed, jobs))
    assert alloc.shares is not None and not alloc.placements
    expanded = alloc.all_placements()
    assert {p.job_id for p in expanded} == {"j0", "j1", "j2"}
    assert all(p.accelerators == 2.0 for p in expanded)
    held = alloc.shares.held()
    for i, pool_id in enumerate(fed.pool_ids):
        on_pool = sum(p.accelerators * p.share for p in expanded if p.pool_id == pool_id)
        assert held[i] == pytest.approx(on_pool)
