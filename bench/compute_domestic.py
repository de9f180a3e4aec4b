"""Domestic-first on the Beijing federation: how much it raises the domestic share of
accelerator-hours, and what that costs in job completion time.

Replays the Philly job list (60 % of jobs portable, the rest CUDA-only) at its own pace and
with arrivals compressed ``--time-scale`` times (more contention), under the baseline (FIFO,
fastest free pool) and domestic-first at several target shares.

Usage:
    .venv/bin/python bench/compute_domestic.py --time-scales 1,50
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from ceyuan.compute.engine.federation import BUILTIN_FEDERATIONS, load_federation
from ceyuan.compute.engine.metrics import summarise
from ceyuan.compute.engine.policies import make_policy
from ceyuan.compute.engine.simulator import simulate
from ceyuan.compute.engine.traces import TraceOptions, load_trace

SHARED = Path(os.environ.get("CEYUAN_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--trace",
        type=Path,
        default=SHARED / "data" / "traces" / "philly" / "philly_jobs_sia.csv.gz",
    )
    parser.add_argument("--time-scales", default="1,50")
    parser.add_argument(
        "--policies", default="fifo,domestic_first:target=0.6,domestic_first,spillover,cost"
    )
    parser.add_argument("--portable-share", type=float, default=0.6)
    args = parser.parse_args()
    fed = load_federation(BUILTIN_FEDERATIONS["beijing"])
    print(
        "| time scale | policy | domestic share | avg JCT h | p99 JCT h | avg queue h | "
        "cost kCNY | JCT vs fifo | wall s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for scale in (float(s) for s in args.time_scales.split(",")):
        options = TraceOptions(
            data_centres=tuple(c.id for c in fed.centres),
            time_scale=scale,
            portable_share=args.portable_share,
        )
        jobs = load_trace(f"philly:{args.trace}", options)
        base = None
        for spec in args.policies.split(","):
            t0 = time.perf_counter()
            s = summarise(simulate(fed, jobs, make_policy(spec)))
            wall = time.perf_counter() - t0
            base = base or s.jct_mean_s
            print(
                f"| {scale:g} | {spec} | {s.domestic_share:.3f} | {s.jct_mean_s / 3600:.2f} | "
                f"{s.jct_p99_s / 3600:.1f} | {s.queue_mean_s / 3600:.2f} | {s.cost / 1000:.0f} | "
                f"{s.jct_mean_s / base:.2f}x | {wall:.1f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
