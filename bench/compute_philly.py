"""Replay the full Philly job list (82,247 jobs) on the Beijing example federation
(14,592 accelerators) under each policy; report wall time and events per second.

Usage:
    .venv/bin/python bench/compute_philly.py \
        --trace $CEYUAN_SHARED_DIR/data/traces/philly/philly_jobs_sia.csv.gz [--time-scale 1]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from ceyuan.compute.engine.federation import BUILTIN_FEDERATIONS, load_federation
from ceyuan.compute.engine.metrics import summarise
from ceyuan.compute.engine.policies import make_policy
from ceyuan.compute.engine.simulator import simulate
from ceyuan.compute.engine.traces import TraceOptions, load_trace

SHARED = Path(os.environ.get("CEYUAN_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))
POLICIES = (
    "fifo,fifo:backfill,priority:backfill:preempt,sjf,las,drf,cost,domestic_first,"
    "locality,spillover"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--trace",
        type=Path,
        default=SHARED / "data" / "traces" / "philly" / "philly_jobs_sia.csv.gz",
    )
    parser.add_argument("--federation", default="beijing")
    parser.add_argument("--policies", default=POLICIES)
    parser.add_argument("--time-scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    fed = load_federation(BUILTIN_FEDERATIONS[args.federation])
    t0 = time.perf_counter()
    options = TraceOptions(
        data_centres=tuple(c.id for c in fed.centres), time_scale=args.time_scale
    )
    jobs = load_trace(f"philly:{args.trace}", options)
    print(
        f"loaded {len(jobs)} jobs in {time.perf_counter() - t0:.1f} s; {fed.capacity} accelerators"
    )
    print(
        "| policy | wall s | events | events/s | avg JCT h | p99 JCT h | avg queue h | "
        "util | domestic share | cost kCNY |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for spec in args.policies.split(","):
        t0 = time.perf_counter()
        result = simulate(fed, jobs, make_policy(spec))
        wall = time.perf_counter() - t0
        s = summarise(result)
        rows.append({"policy": spec, "wall_s": wall, **s.as_dict()})
        print(
            f"| {spec} | {wall:.1f} | {result.events} | {result.events / wall:.0f} | "
            f"{s.jct_mean_s / 3600:.2f} | {s.jct_p99_s / 3600:.1f} | {s.queue_mean_s / 3600:.2f} | "
            f"{s.utilisation:.3f} | {s.domestic_share:.3f} | {s.cost / 1000:.0f} |",
            flush=True,
        )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
