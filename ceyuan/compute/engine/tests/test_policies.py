from __future__ import annotations

from types import MappingProxyType

import pytest

from ceyuan.compute.engine.errors import InputError
from ceyuan.compute.engine.model import (
    Federation,
    Job,
    Placement,
    PoolState,
    RunningJob,
    SchedulerState,
    TenantAccount,
)
from ceyuan.compute.engine.policies import make_policy, policy_label, registered_policies
from ceyuan.compute.engine.scheduler import AllocationError, check_allocation

from .conftest import make_federation

REQUIRED = {
    "fifo",
    "priority",
    "sjf",
    "las",
    "drf",
    "gavel_maxmin",
    "maxmin",
    "cost",
    "domestic_first",
    "locality",
    "spillover",
}


def state(
    fed: Federation,
    pending: list[Job],
    *,
    free: dict[str, float] | None = None,
    running: list[RunningJob] | None = None,
    now: float = 0.0,
    **kwargs: object,
) -> SchedulerState:
    free = free or {}
    pools = tuple(PoolState(p, free.get(p.id, float(p.capacity))) for p in fed.pools)
    return SchedulerState(
        now=now,
        federation=fed,
        pools=pools,
        pending=tuple(pending),
        running=MappingProxyType({r.job.id: r for r in running or []}),
        **kwargs,  # type: ignore[arg-type]
    )


def job(ident: str, size: float = 1, **kwargs: object) -> Job:
    return Job(
        id=ident,
        tenant=str(kwargs.pop("tenant", "t")),
        submit_time=float(kwargs.pop("submit", 0.0)),
        work=float(kwargs.pop("work", 100.0)),
        accelerators=size,
        **kwargs,
    )  # type: ignore[arg-type]


def test_every_required_policy_is_registered_and_rebuilds_from_its_label() -> None:
    assert set(registered_policies()) >= REQUIRED
    for spec in [
        "fifo",
        "priority:backfill:preempt",
        "las:interval=300",
        "domestic_first:target=0.5",
    ]:
        p = make_policy(spec)
        assert policy_label(make_policy(policy_label(p))) == policy_label(p)


def test_unknown_policy_and_bad_option_are_input_errors() -> None:
    with pytest.raises(InputError, match="unknown policy"):
        make_policy("fastest_please")
    with pytest.raises(InputError, match="bad options"):
        make_policy("fifo:colour=red")


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_policy_never_places_a_cuda_job_on_a_domestic_pool(name: str) -> None:
    fed = make_federation({"own": [("Ascend-910B", 8), ("Hygon-DCU-K100", 8)], "b": [("A100", 2)]})
    jobs = [job(f"j{i}", 1, stacks=frozenset({"cuda"}), submit=i) for i in range(6)]
    st = state(fed, jobs)
    alloc = make_policy(name).allocate(st)
    check_allocation(st, alloc)
    assert alloc.all_placements()
    assert {p.pool_id for p in alloc.all_placements()} == {"b-0-A100"}


def test_job_no_pool_can_host_is_reported_with_reason() -> None:
    fed = make_federation()
    too_big = job("big", 64)
    needs_memory = job("mem", 1, min_memory_gb=500)
    alloc = make_policy("fifo").allocate(state(fed, [too_big, needs_memory]))
    reasons = {u.job_id: u.reason for u in alloc.unschedulable}
    assert "exceeds pool size" in reasons["big"]
    assert "job needs 500" in reasons["mem"]


def test_fifo_is_strict_but_backfill_lets_short_jobs_past_a_blocked_head() -> None:
    fed = make_federation({"c": [("A100", 8)]})
    run = RunningJob(job("r", 4, work=1000), (Placement("r", "c-0-A100", 4),), 0.0, 1000, 500.0)
    head = job("head", 8, submit=1)
    short = job("short", 2, work=100, submit=2)  # 100/2.2 s, ends before the head's reservation
    long = job("long", 2, work=10_000, submit=3)  # would delay the head
    st = state(fed, [head, short, long], free={"c-0-A100": 4}, running=[run])
    assert make_policy("fifo").allocate(st).placements == ()
    placed = {p.job_id for p in make_policy("fifo:backfill").allocate(st).placements}
    assert placed == {"short"}


def test_priority_preemption_evicts_lower_priority_jobs_only() -> None:
    fed = make_federation({"c": [("A100", 8)]})
    low = RunningJob(job("low", 8, priority=0), (Placement("low", "c-0-A100", 8),), 0, 100, 50)
    urgent = job("urgent", 8, priority=5, submit=1)
    st = state(fed, [urgent], free={"c-0-A100": 0}, running=[low])
    alloc = make_policy("priority:preempt").allocate(st)
    check_allocation(st, alloc)
    assert [p.job_id for p in alloc.preemptions] == ["low"]
    assert [p.job_id for p in alloc.placements] == ["urgent"]
    protected = RunningJob(
        job("p", 8, priority=0, preemptible=False), (Placement("p", "c-0-A100", 8),), 0, 100, 50
    )
    st2 = state(fed, [urgent], free={"c-0-A100": 0}, running=[protected])
    assert make_policy("priority:preempt").allocate(st2).preemptions == ()


def test_sjf_serves_the_shortest_job_first() -> None:
    fed = make_federation({"c": [("A100", 1)]})
    alloc = make_policy("sjf").allocate(
        state(fed, [job("long", work=500), job("short", work=5, submit=9)])
    )
    assert [p.job_id for p in alloc.placements] == ["short"]


def test_las_serves_the_job_with_least_attained_service() -> None:
    fed = make_federation({"c": [("A100", 1)]})
    jobs = [job("old", submit=0), job("new", submit=5)]
    st = state(fed, jobs, attained=MappingProxyType({"old": 7200.0}))
    assert [p.job_id for p in make_policy("las").allocate(st).placements] == ["new"]


def test_drf_gives_the_next_slot_to_the_tenant_with_the_smaller_weighted_share() -> None:
    fed = make_federation({"c": [("A100", 4)]})
    jobs = [
        job("a1", 2, tenant="a", submit=0),
        job("a2", 2, tenant="a", submit=1),
        job("b1", 2, tenant="b", submit=2),
    ]
    placed = [p.job_id for p in make_policy("drf").allocate(state(fed, jobs)).placements]
    assert sorted(placed) == ["a1", "b1"]
    heavy = state(
        fed,
        jobs,
        tenants=MappingProxyType({"a": TenantAccount("a", 1.0), "b": TenantAccount("b", 1.0)}),
        usage=MappingProxyType({"b": {"A100": 0.0}, "a": {"A100": 0.0}}),
    )
    assert len(make_policy("drf").allocate(heavy).placements) == 2


def test_cost_picks_the_cheapest_pool_and_respects_budgets() -> None:
    fed = make_federation({"own": [("H800", 8), ("Hygon-DCU-K100", 8)]})
    cheap = make_policy("cost").allocate(state(fed, [job("j", 1, work=3600)]))
    assert cheap.placements[0].pool_id == "own-1-Hygon-DCU-K100"
    broke = make_policy("cost").allocate(state(fed, [job("j", 1, work=3600, budget=0.01)]))
    assert broke.placements == ()


def test_domestic_first_prefers_domestic_until_target_share_is_reached() -> None:
    fed = make_federation({"own": [("H800", 8), ("Ascend-910B", 8)]})
    portable = job("p", 1)
    first = make_policy("domestic_first").allocate(state(fed, [portable]))
    assert first.placements[0].pool_id == "own-1-Ascend-910B"
    assert "domestic" in first.placements[0].reason
    reached = state(fed, [portable], domestic_hours=80.0, total_hours=100.0)
    assert (
        make_policy("domestic_first:target=0.7").allocate(reached).placements[0].pool_id
        == "own-0-H800"
    )
    assert (
        make_policy("fifo").allocate(state(fed, [portable])).placements[0].pool_id == "own-0-H800"
    )


def test_locality_counts_transfer_time_and_spillover_fills_own_centres_first() -> None:
    fed = make_federation({"own": [("A100", 8)], "cloud": [("H800", 8)]})
    heavy_data = job("d", 1, work=60, data_centre="own", data_gb=10_000)
    assert (
        make_policy("fifo").allocate(state(fed, [heavy_data])).placements[0].pool_id
        == "cloud-0-H800"
    )
    assert (
        make_policy("locality").allocate(state(fed, [heavy_data])).placements[0].pool_id
        == "own-0-A100"
    )
    spill = make_policy("spillover").allocate(
        state(fed, [job(f"s{i}", 4, submit=i) for i in range(3)])
    )
    assert [p.pool_id for p in spill.placements] == ["own-0-A100", "own-0-A100", "cloud-0-H800"]


def test_gavel_maxmin_beats_agnostic_maxmin_on_normalised_throughput() -> None:
    fed = make_federation({"c": [("V100", 2), ("K80", 2)]})
    a = job("a", speedups=MappingProxyType({"V100": 1.0, "K80": 0.1}))
    b = job("b", speedups=MappingProxyType({"V100": 1.0, "K80": 0.5}))
    st = state(fed, [a, b])

    def normalised(alloc: object) -> dict[str, float]:
        rate = {"a": 0.0, "b": 0.0}
        for p in alloc.all_placements():  # type: ignore[attr-defined]
            j = a if p.job_id == "a" else b
            rate[p.job_id] += p.share * j.speedups[p.pool_id.split("-")[-1]]
        equal = {"a": 0.55, "b": 0.75}  # throughput on a capacity-proportional share
        return {k: v / equal[k] for k, v in rate.items()}

    aware, agnostic = (make_policy(n).allocate(st) for n in ("gavel_maxmin", "maxmin"))
    check_allocation(st, aware)
    check_allocation(st, agnostic)
    # agnostic: half the time on each type, which is exactly the equal-share throughput
    assert min(normalised(agnostic).values()) == pytest.approx(1.0)
    # aware: both jobs fit on the V100s full time; b (the slower-normalised) sets the min
    assert min(normalised(aware).values()) == pytest.approx(1.0 / 0.75, abs=0.01)
    shares = {(p.job_id, p.pool_id): p.share for p in aware.all_placements()}
    assert shares.get(("a", "c-0-V100"), 0.0) == pytest.approx(1.0, abs=1e-6)


def test_check_allocation_rejects_broken_allocations() -> None:
    from ceyuan.compute.engine.model import Allocation

    fed = make_federation({"c": [("A100", 4), ("Ascend-910B", 4)]})
    gang = job("g", 4, stacks=frozenset({"cuda"}))
    st = state(fed, [gang])
    for bad in (
        Placement("g", "c-0-A100", 2),  # half a gang
        Placement("g", "c-1-Ascend-910B", 4),  # incompatible stack
        Placement("ghost", "c-0-A100", 1),  # unknown job
    ):
        with pytest.raises(AllocationError):
            check_allocation(st, Allocation(placements=(bad,)))
    over = state(fed, [gang], free={"c-0-A100": 3})
    with pytest.raises(AllocationError, match="over-allocated"):
        check_allocation(over, Allocation(placements=(Placement("g", "c-0-A100", 4),)))
