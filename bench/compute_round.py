"""One scheduling round with 100,000 pending jobs over a 50-centre federation.

The federation is generated (50 centres, 2-4 pools each, models drawn from the shipped
catalogue); pending jobs have random sizes, stacks, tenants and data homes; half of each
pool is busy. Each policy's ``allocate`` is timed on the same snapshot (best of 3).

Usage:
    .venv/bin/python bench/compute_round.py --jobs 100000 --centres 50
"""

from __future__ import annotations

import argparse
import random
import time
from types import MappingProxyType

from ceyuan.compute.engine.catalogue import load_catalogue
from ceyuan.compute.engine.model import (
    Centre,
    CentreKind,
    Federation,
    Job,
    Pool,
    PoolState,
    SchedulerState,
)
from ceyuan.compute.engine.policies import make_policy
from ceyuan.compute.engine.scheduler import check_allocation

POLICIES = (
    "fifo,fifo:backfill,priority,priority:backfill,sjf,las,drf,cost,domestic_first,"
    "locality,spillover,maxmin,gavel_maxmin"
)


def build(n_centres: int, n_jobs: int, seed: int) -> SchedulerState:
    rng = random.Random(seed)
    catalogue = load_catalogue()
    models = ["Ascend-910B", "A100", "H800", "Hygon-DCU-K100", "Kunlunxin-P800", "A800", "L40S"]
    kinds = list(CentreKind)
    centres = []
    for c in range(n_centres):
        pools = tuple(
            Pool(
                id=f"c{c}-p{p}",
                centre_id=f"c{c}",
                accelerator=catalogue[m],
                nodes=rng.randint(8, 64),
                accelerators_per_node=8,
                stacks=catalogue[m].stacks,
                price_per_hour=catalogue[m].list_price_per_hour,
                domestic=catalogue[m].domestic,
            )
            for p, m in enumerate(rng.sample(models, rng.randint(2, 4)))
        )
        centres.append(
            Centre(f"c{c}", f"c{c}", kinds[c % 4], "r", 5.0, 100.0, 1.3, 0.5, c % 3, pools)
        )
    fed = Federation("bench", tuple(centres))
    stacks = [frozenset(), frozenset({"cuda"}), frozenset({"cann"})]
    jobs = tuple(
        Job(
            id=f"j{n}",
            tenant=f"t{rng.randrange(40)}",
            submit_time=float(n),
            work=rng.uniform(60, 86_400),
            accelerators=float(rng.choice([1, 1, 1, 2, 4, 8, 16])),
            stacks=rng.choice(stacks),
            priority=rng.randrange(3),
            data_centre=f"c{rng.randrange(n_centres)}",
            data_gb=rng.uniform(1, 500),
        )
        for n in range(n_jobs)
    )
    pools = tuple(PoolState(p, float(p.capacity // 2)) for p in fed.pools)
    return SchedulerState(
        now=float(n_jobs), federation=fed, pools=pools, pending=jobs, running=MappingProxyType({})
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--centres", type=int, default=50)
    parser.add_argument("--policies", default=POLICIES)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    state = build(args.centres, args.jobs, args.seed)
    print(
        f"{len(state.pending)} pending jobs, {len(state.federation.centres)} centres, "
        f"{len(state.federation.pools)} pools, {state.federation.capacity} accelerators"
    )
    print("| policy | placed | seconds (best of 3) |")
    print("|---|---|---|")
    for spec in args.policies.split(","):
        best = float("inf")
        for _ in range(3):
            policy = make_policy(spec)
            t0 = time.perf_counter()
            allocation = policy.allocate(state)
            best = min(best, time.perf_counter() - t0)
        check_allocation(state, allocation)
        placed_ids = {p.job_id for p in allocation.placements}
        if allocation.shares is not None:  # time-sharing policies answer in bulk
            placed_ids.update(job.id for job in allocation.shares.jobs)
        placed = len(placed_ids)
        print(f"| {spec} | {placed} | {best:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
