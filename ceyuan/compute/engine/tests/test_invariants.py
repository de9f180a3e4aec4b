"""Property tests: whatever the policy, the federation and the jobs, the simulator never
over-allocates a pool, keeps gangs whole, never places a job on an incompatible software stack,
loses or duplicates no job, and gives the same result for the same seed. Jobs on time shares
(the bulk ``TimeShares`` path of the max-min policies) are checked row by row too."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ceyuan.compute.engine.jobs import pool_rejection
from ceyuan.compute.engine.model import Allocation, Federation, Job
from ceyuan.compute.engine.policies import make_policy
from ceyuan.compute.engine.simulator import JobStatus, Outage, SimulatedCluster, SimulationConfig

from .conftest import make_federation

MODELS = ["A100", "Ascend-910B", "H800", "Hygon-DCU-K100", "V100", "K80"]
POLICIES = [
    "fifo",
    "fifo:backfill",
    "priority:preempt",
    "priority:backfill:preempt",
    "sjf",
    "las",
    "las:backfill",
    "drf",
    "drf:backfill",
    "cost",
    "domestic_first:target=0.5",
    "locality",
    "spillover:backfill",
    "maxmin",
    "gavel_maxmin",
]
STACKS = [frozenset(), frozenset({"cuda"}), frozenset({"cann"}), frozenset({"dtk", "cuda"})]


class CheckedCluster(SimulatedCluster):
    """The simulator, with the invariants checked after every applied allocation."""

    def apply(self, allocation: Allocation, now: float) -> None:
        super().apply(allocation, now)
        fed = self.fed
        for i, pool in enumerate(fed.pools):
            limit = pool.capacity - self.failed_nodes[i] * pool.accelerators_per_node
            assert self.used[i] <= limit + 1e-6, f"{pool.id} over capacity"
        assert not set(self.pending) & set(self.runs), "a job is both pending and running"
        for run in self.runs.values():
            job = run.job
            pieces = [(fed.pools[i], p) for i, p in zip(run.pool_idx, run.placements, strict=True)]
            for pool, p in pieces:
                assert pool_rejection(job, pool) is None, f"{job.id} on incompatible {pool.id}"
                assert self.down_centre[fed.pool_index[pool.id]] == 0, "placed on a down pool"
                if job.gang:
                    assert p.accelerators == job.accelerators, "gang split"
            if job.gang and not self.policy.time_sharing:
                assert len(pieces) == 1, "gang over several pools"
            whole = all(p.accelerators == job.accelerators for _, p in pieces)
            if not job.gang and not whole:
                assert abs(sum(p.accelerators for _, p in pieces) - job.accelerators) < 1e-9
            if whole:
                assert sum(p.share for _, p in pieces) <= 1 + 1e-6, "time shares above 1"
        # jobs on time shares (``TimeShares``), held as rows of arrays
        shared = self.shared
        assert not set(self.pending) & set(shared.row_of), "a job is pending and time-shared"
        assert not set(self.runs) & set(shared.row_of), "a job has placements and time shares"
        assert [j.id for j in shared.jobs] == list(shared.row_of), "rows out of step"
        for r, job in enumerate(shared.jobs):
            row = shared.share[r]
            assert row.min() >= 0.0 and row.sum() <= 1 + 1e-6, "time shares outside [0, 1]"
            assert shared.size[r] == job.accelerators, "a time-shared job is not held whole"
            for i in np.flatnonzero(row).tolist():
                assert pool_rejection(job, fed.pools[i]) is None, f"{job.id} on incompatible pool"
                assert self.down_centre[i] == 0, "time share on a down pool"
        held = self.shared.size @ self.shared.share if len(shared.jobs) else 0.0
        placed = np.zeros(len(fed.pools))
        for run in self.runs.values():
            for i, p in zip(run.pool_idx, run.placements, strict=True):
                placed[i] += p.accelerators * p.share
        assert np.allclose(self.used, placed + held, atol=1e-6), "pool use out of step"


@st.composite
def scenarios(
    draw: st.DrawFn, policies: list[str] = POLICIES
) -> tuple[Federation, list[Job], str, SimulationConfig]:
    n_centres = draw(st.integers(1, 3))
    spec = {
        f"c{c}": [
            (draw(st.sampled_from(MODELS)), draw(st.sampled_from([1, 2, 4, 8])))
            for _ in range(draw(st.integers(1, 2)))
        ]
        for c in range(n_centres)
    }
    fed = make_federation(spec)
    jobs = []
    for n in range(draw(st.integers(1, 18))):
        gang = draw(st.booleans()) or n % 3 != 0
        size = draw(st.sampled_from([0.5, 1.0, 2.0, 4.0, 8.0, 16.0] if gang else [1.0, 2.0, 3.0]))
        jobs.append(
            Job(
                id=f"j{n}",
                tenant=f"t{draw(st.integers(0, 2))}",
                submit_time=float(draw(st.integers(0, 2000))),
                work=float(draw(st.integers(1, 5000))),
                accelerators=size,
                stacks=draw(st.sampled_from(STACKS)),
                gang=gang,
                priority=draw(st.integers(0, 2)),
                preemptible=draw(st.booleans()),
                data_centre=draw(st.sampled_from([None, "c0"])),
                data_gb=float(draw(st.integers(0, 100))),
                budget=draw(st.sampled_from([None, None, 1.0, 1000.0])),
                estimate=float(draw(st.integers(1, 5000))),
            )
        )
    outages: tuple[Outage, ...] = ()
    if draw(st.booleans()):
        start = float(draw(st.integers(0, 3000)))
        outages = (Outage("c0", start, start + draw(st.integers(1, 3000))),)
    config = SimulationConfig(
        seed=draw(st.integers(0, 5)),
        failure_mode=draw(st.sampled_from(["requeue", "lose"])),
        outages=outages,
        node_mtbf_hours=draw(st.sampled_from([None, 0.5])),
        node_repair_hours=0.2,
    )
    return fed, jobs, draw(st.sampled_from(policies)), config


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(scenarios())
def test_simulation_keeps_every_invariant(
    scenario: tuple[Federation, list[Job], str, SimulationConfig],
) -> None:
    _check_scenario(scenario)


@settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(scenarios(policies=["maxmin", "gavel_maxmin"]))
def test_time_shared_simulation_keeps_every_invariant(
    scenario: tuple[Federation, list[Job], str, SimulationConfig],
) -> None:
    """The time-sharing policies' bulk path (``TimeShares`` rows), with outages and failures."""
    _check_scenario(scenario)


def _check_scenario(scenario: tuple[Federation, list[Job], str, SimulationConfig]) -> None:
    fed, jobs, policy, config = scenario
    first = CheckedCluster(fed, jobs, make_policy(policy), config).run()
    ids = Counter(r.job.id for r in first.records)
    assert ids == Counter(j.id for j in jobs), "a job was lost or duplicated"
    for record in first.records:
        if record.status is JobStatus.DONE:
            assert record.finish is not None and record.first_start is not None
            assert record.finish >= record.job.submit_time
        if record.status in (JobStatus.UNSCHEDULABLE, JobStatus.UNFINISHED, JobStatus.LOST):
            assert record.reason
    second = CheckedCluster(fed, jobs, make_policy(policy), config).run()
    assert [(r.job.id, r.status, r.finish) for r in first.records] == [
        (r.job.id, r.status, r.finish) for r in second.records
    ]
