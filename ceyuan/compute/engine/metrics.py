"""Metrics of a simulation run.

Definitions (all times in seconds unless named ``_h``):

* job completion time (JCT) = finish − submit, over jobs that finished; queueing delay =
  first start − submit; both reported as mean, median and 99th percentile;
* makespan = last finish − first submission;
* utilisation of a pool = busy accelerator-seconds / (capacity x elapsed); reported per pool
  (mean over the run) and as a series in ``bucket``-second steps;
* cost = sum of accelerator-hours x the pool's price; energy = accelerator-hours x board
  power x the centre's PUE; carbon = energy x the centre's grid intensity;
* domestic share = domestic accelerator-hours / all accelerator-hours delivered;
* Jain fairness across tenants: J = (sum x_t)^2 / (n sum x_t^2) with x_t the tenant's mean
  of ideal / actual JCT (ideal = work on the fastest compatible pool, no waiting); J = 1 when
  every tenant is slowed down equally;
* deadline misses: jobs with a deadline that finished after it or never finished.

``window`` restricts job-level metrics to some job ids (Gavel's measurement window).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass

import numpy as np

from .jobs import compatible_pool_indices, speed
from .simulator import JobStatus, SimulationResult


@dataclass(frozen=True, slots=True)
class Summary:
    jobs: int
    done: int
    lost: int
    unschedulable: int
    unfinished: int
    jct_mean_s: float
    jct_median_s: float
    jct_p99_s: float
    queue_mean_s: float
    queue_median_s: float
    queue_p99_s: float
    makespan_s: float
    utilisation: float
    accelerator_hours: float
    domestic_share: float
    cost: float
    energy_kwh: float
    carbon_kg: float
    jain_fairness: float
    deadline_jobs: int
    deadline_misses: int
    preemptions: int
    events: int
    rounds: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _stats(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"),) * 3
    arr = np.asarray(values)
    return float(arr.mean()), float(np.median(arr)), float(np.percentile(arr, 99))


def summarise(result: SimulationResult, window: Collection[str] | None = None) -> Summary:
    fed = result.federation
    records = [r for r in result.records if window is None or r.job.id in window]
    done = [r for r in records if r.status is JobStatus.DONE and r.finish is not None]
    jct = [r.finish - r.job.submit_time for r in done if r.finish is not None]
    queue = [r.first_start - r.job.submit_time for r in records if r.first_start is not None]
    acc_seconds = sum(r.accelerator_seconds for r in records)
    domestic = sum(r.domestic_accelerator_seconds for r in records)
    tenant_scores: dict[str, list[float]] = {}
    for r in done:
        assert r.finish is not None
        pools = [fed.pools[i] for i in compatible_pool_indices(fed, r.job)]
        best = max((speed(r.job, p) for p in pools), default=1.0)
        ideal = r.job.work / best
        actual = r.finish - r.job.submit_time
        score = 1.0 if actual <= 0 else min(1.0, ideal / actual)
        tenant_scores.setdefault(r.job.tenant, []).append(score)
    means = np.array([np.mean(v) for v in tenant_scores.values()]) if tenant_scores else None
    jain = (
        float(means.sum() ** 2 / (len(means) * (means**2).sum()))
        if means is not None and (means**2).sum() > 0
        else float("nan")
    )
    with_deadline = [r for r in records if r.job.deadline is not None]
    misses = sum(
        1
        for r in with_deadline
        if r.finish is None or (r.job.deadline is not None and r.finish > r.job.deadline)
    )
    first_submit = min((r.job.submit_time for r in records), default=0.0)
    last_finish = max((r.finish for r in done if r.finish is not None), default=first_submit)
    capacity = fed.capacity
    elapsed = result.end_time - min((r.job.submit_time for r in result.records), default=0.0)
    utilisation = (
        sum(r.accelerator_seconds for r in result.records) / (capacity * elapsed)
        if capacity and elapsed > 0
        else 0.0
    )
    jm, jmed, jp99 = _stats(jct)
    qm, qmed, qp99 = _stats(queue)
    return Summary(
        jobs=len(records),
        done=len(done),
        lost=sum(1 for r in records if r.status is JobStatus.LOST),
        unschedulable=sum(1 for r in records if r.status is JobStatus.UNSCHEDULABLE),
        unfinished=sum(1 for r in records if r.status is JobStatus.UNFINISHED),
        jct_mean_s=jm,
        jct_median_s=jmed,
        jct_p99_s=jp99,
        queue_mean_s=qm,
        queue_median_s=qmed,
        queue_p99_s=qp99,
        makespan_s=last_finish - first_submit,
        utilisation=utilisation,
        accelerator_hours=acc_seconds / 3600.0,
        domestic_share=domestic / acc_seconds if acc_seconds > 0 else 0.0,
        cost=sum(r.cost for r in records),
        energy_kwh=sum(r.energy_kwh for r in records),
        carbon_kg=sum(r.carbon_kg for r in records),
        jain_fairness=jain,
        deadline_jobs=len(with_deadline),
        deadline_misses=misses,
        preemptions=sum(r.preemptions for r in records),
        events=result.events,
        rounds=result.rounds,
    )


def pool_utilisation(result: SimulationResult) -> Mapping[str, float]:
    """Mean utilisation of each pool over the run."""
    return {
        pool: float(np.mean(series)) if series else 0.0 for pool, series in result.pool_busy.items()
    }
