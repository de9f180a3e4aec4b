from __future__ import annotations

from types import MappingProxyType

import pytest

from ceyuan.compute.engine.metrics import summarise
from ceyuan.compute.engine.model import Job
from ceyuan.compute.engine.policies import make_policy
from ceyuan.compute.engine.simulator import JobStatus, Outage, SimulationConfig, simulate

from .conftest import make_federation


def job(ident: str, size: float = 1, **kwargs: object) -> Job:
    return Job(
        id=ident,
        tenant=str(kwargs.pop("tenant", "t")),
        submit_time=float(kwargs.pop("submit", 0.0)),
        work=float(kwargs.pop("work", 100.0)),
        accelerators=size,
        **kwargs,
    )  # type: ignore[arg-type]


def by_id(result: object) -> dict[str, object]:
    return {r.job.id: r for r in result.records}  # type: ignore[attr-defined]


def test_jobs_queue_then_run_at_the_pool_speed() -> None:
    fed = make_federation({"c": [("A100", 2)]})
    jobs = [job("a", 2, work=220.0), job("b", 2, work=220.0, submit=1.0)]
    res = by_id(simulate(fed, jobs, make_policy("fifo")))
    assert res["a"].finish == pytest.approx(100.0)  # 220 reference-seconds at speed 2.2
    assert res["b"].first_start == pytest.approx(100.0)
    assert res["b"].finish == pytest.approx(200.0)


def test_data_transfer_delays_the_start_of_progress() -> None:
    fed = make_federation({"own": [("A100", 1)], "far": [("A100", 1)]})
    # 10 GB over 10 Gbit/s = 8 s, plus latency of both ends (1 ms + 2 ms)
    j = job("d", 1, work=220.0, data_centre="far", data_gb=10.0)
    res = by_id(simulate(fed, [j], make_policy("fifo")))
    assert res["d"].finish == pytest.approx(100.0 + 8.0 + 0.003)


def test_unschedulable_job_is_reported_not_left_pending() -> None:
    fed = make_federation({"c": [("Ascend-910B", 8)]})
    res = simulate(
        fed, [job("cuda", 1, stacks=frozenset({"cuda"})), job("ok", 1)], make_policy("fifo")
    )
    records = by_id(res)
    assert records["cuda"].status is JobStatus.UNSCHEDULABLE
    assert "software stack" in records["cuda"].reason
    assert records["ok"].status is JobStatus.DONE


def test_budget_no_pool_meets_ends_as_unfinished_with_reason() -> None:
    fed = make_federation({"c": [("A100", 1)]})
    res = by_id(simulate(fed, [job("poor", 1, work=36_000, budget=0.01)], make_policy("cost")))
    assert res["poor"].status is JobStatus.UNFINISHED
    assert "never started" in res["poor"].reason


@pytest.mark.parametrize(
    ("mode", "status"), [("requeue", JobStatus.DONE), ("lose", JobStatus.LOST)]
)
def test_centre_outage_requeues_or_loses_running_jobs(mode: str, status: JobStatus) -> None:
    fed = make_federation({"own": [("A100", 1)], "cloud": [("A100", 1)]})
    config = SimulationConfig(failure_mode=mode, outages=(Outage("own", 50.0, 500.0),))
    jobs = [job("hit", 1, work=220.0), job("spare", 1, work=10_000.0, submit=0.5)]
    res = by_id(simulate(fed, jobs, make_policy("spillover"), config))
    assert res["hit"].status is status
    if status is JobStatus.DONE:
        # progress lost, restarted when the centre came back at t=500
        assert res["hit"].finish == pytest.approx(600.0)
        assert res["hit"].preemptions == 1


def test_node_failures_are_reproducible_for_a_seed_and_lose_no_job() -> None:
    fed = make_federation({"c": [("A100", 8)], "d": [("H800", 8)]})
    jobs = [job(f"j{i}", 1 + i % 4, work=3600.0 * (1 + i % 3), submit=60.0 * i) for i in range(40)]
    config = SimulationConfig(seed=3, node_mtbf_hours=5.0, node_repair_hours=1.0)
    first = simulate(fed, jobs, make_policy("fifo:backfill"), config)
    second = simulate(fed, jobs, make_policy("fifo:backfill"), config)
    assert [(r.job.id, r.finish) for r in first.records] == [
        (r.job.id, r.finish) for r in second.records
    ]
    assert sorted(r.job.id for r in first.records) == sorted(j.id for j in jobs)
    assert sum(r.preemptions for r in first.records) > 0


def test_preemption_keeps_progress() -> None:
    fed = make_federation({"c": [("A100", 1)]})
    low = job("low", 1, work=220.0, priority=0)
    high = job("high", 1, work=22.0, priority=9, submit=50.0)
    res = by_id(simulate(fed, [low, high], make_policy("priority:preempt")))
    assert res["high"].finish == pytest.approx(60.0)
    assert res["low"].finish == pytest.approx(110.0)  # 50 s done, 50 s left after t=60
    assert res["low"].preemptions == 1


def test_time_sharing_policy_finishes_every_job() -> None:
    fed = make_federation({"c": [("V100", 2), ("K80", 2)]})
    speedups = MappingProxyType({"V100": 1.0, "K80": 0.3})
    jobs = [
        job(f"g{i}", 1 + (i % 2), work=500.0, submit=10.0 * i, speedups=speedups) for i in range(12)
    ]
    for name in ("gavel_maxmin", "maxmin"):
        res = simulate(fed, jobs, make_policy(name))
        assert all(r.status is JobStatus.DONE for r in res.records), name


def test_metrics_cover_cost_domestic_share_fairness_and_deadlines() -> None:
    fed = make_federation({"own": [("Ascend-910B", 1)], "b": [("A100", 1)]})
    jobs = [
        job("a", 1, work=170.0, tenant="x", deadline=50.0),
        job("b", 1, work=220.0, tenant="y", submit=1.0, deadline=10_000.0),
    ]
    res = simulate(fed, jobs, make_policy("domestic_first"))
    s = summarise(res)
    assert s.done == 2
    assert s.deadline_jobs == 2 and s.deadline_misses == 1
    assert 0.0 < s.domestic_share < 1.0
    assert s.cost > 0 and s.energy_kwh > 0 and s.carbon_kg > 0
    assert 0.5 <= s.jain_fairness <= 1.0
    assert s.jct_p99_s >= s.jct_median_s


def test_job_longer_than_the_time_between_failures_is_lost_not_retried_forever() -> None:
    fed = make_federation({"c": [("A100", 1)]})
    config = SimulationConfig(seed=1, node_mtbf_hours=0.1, node_repair_hours=0.01, max_failures=3)
    res = by_id(simulate(fed, [job("long", 1, work=220.0 * 3600)], make_policy("fifo"), config))
    assert res["long"].status is JobStatus.LOST
    assert "gave up after 4" in res["long"].reason


def test_run_ends_when_a_pending_job_can_never_start_even_with_failures_ongoing() -> None:
    fed = make_federation({"c": [("A100", 8), ("A100", 8)]})
    config = SimulationConfig(seed=2, node_mtbf_hours=1.0, node_repair_hours=5.0)
    jobs = [job("short", 1, work=22.0), job("poor", 1, work=36_000, budget=0.01, submit=1.0)]
    res = by_id(simulate(fed, jobs, make_policy("cost"), config))
    assert res["short"].status is JobStatus.DONE
    assert res["poor"].status is JobStatus.UNFINISHED
