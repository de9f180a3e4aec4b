"""Gavel's continuous-multiple experiment (OSDI'20, Figure 9) replayed on Ceyuan's engine.

Cluster 36 V100 + 36 P100 + 36 K80 (builtin:gavel); Gavel's 26 job types and throughput table;
Poisson arrivals at each rate (jobs/hour); multi-GPU scale factors 1/2/4/8 with probabilities
.70/.10/.15/.05; durations 60 x 10^U(1.5,3) s (p = .8) else 60 x 10^U(3,4) s on V100; metrics
over jobs 4000-4999; the run stops when they have all finished. Policies: heterogeneity-agnostic
max-min (``maxmin``) and heterogeneity-aware max-min (``gavel_maxmin``).

Usage:
    .venv/bin/python bench/compute_gavel.py --rates 2.0,2.5,3.0,3.3 --out var/bench/gavel.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from ceyuan.compute.engine.federation import BUILTIN_FEDERATIONS, load_federation
from ceyuan.compute.engine.metrics import summarise
from ceyuan.compute.engine.policies import make_policy
from ceyuan.compute.engine.simulator import SimulationConfig, simulate
from ceyuan.compute.engine.traces.gavel import generate_continuous, load_throughputs

GAVEL_JOBS_PER_SECOND = 22.0  # Gavel's simulator on one core, as stated in the issue
SHARED = Path(os.environ.get("CEYUAN_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--throughputs",
        type=Path,
        default=SHARED / "data" / "traces" / "gavel" / "simulation_throughputs.json.gz",
    )
    parser.add_argument("--rates", default="2.0,2.5,3.0,3.3")
    parser.add_argument("--jobs", type=int, default=7000, help="jobs generated per run")
    parser.add_argument("--window", default="4000:4999")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--policies", default="maxmin,gavel_maxmin")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    fed = load_federation(BUILTIN_FEDERATIONS["gavel"])
    table = load_throughputs(args.throughputs)
    first, last = (int(x) for x in args.window.split(":"))
    rows = []
    for rate in (float(r) for r in args.rates.split(",")):
        jobs = generate_continuous(table, rate_per_hour=rate, jobs=args.jobs, seed=args.seed)
        window = frozenset(j.id for j in jobs[first : last + 1])
        row: dict[str, object] = {"rate_jobs_per_hour": rate}
        for spec in args.policies.split(","):
            t0, c0 = time.perf_counter(), time.process_time()
            result = simulate(fed, jobs, make_policy(spec), SimulationConfig(stop_after=window))
            wall = time.perf_counter() - t0
            cpu = time.process_time() - c0
            summary = summarise(result, window)
            arrived = sum(1 for j in jobs if j.submit_time <= result.end_time)
            row[spec] = {
                "avg_jct_h": summary.jct_mean_s / 3600.0,
                "window_done": summary.done,
                "jobs_simulated": arrived,
                "wall_s": wall,
                "jobs_per_s": arrived / wall,
                "cpu_s": cpu,
                "jobs_per_cpu_s": arrived / cpu,
                "speedup_vs_gavel": arrived / wall / GAVEL_JOBS_PER_SECOND,
                "rounds": result.rounds,
            }
            print(
                f"rate {rate}: {spec}: avg JCT {summary.jct_mean_s / 3600:.2f} h "
                f"({summary.done} window jobs), {arrived} jobs in {wall:.1f} s "
                f"= {arrived / wall:.0f} jobs/s ({cpu:.1f} CPU s = {arrived / cpu:.0f} jobs/CPU-s)",
                file=sys.stderr,
                flush=True,
            )
        base, aware = row.get("maxmin"), row.get("gavel_maxmin")
        if isinstance(base, dict) and isinstance(aware, dict):
            row["jct_ratio_agnostic_over_aware"] = base["avg_jct_h"] / aware["avg_jct_h"]
        rows.append(row)
    print(
        "| rate (jobs/h) | agnostic avg JCT (h) | aware avg JCT (h) | ratio | "
        "jobs/s agnostic | jobs/s aware |"
    )
    print("|---|---|---|---|---|---|")
    for row in rows:
        b, a = row.get("maxmin", {}), row.get("gavel_maxmin", {})
        assert isinstance(b, dict) and isinstance(a, dict)
        print(
            f"| {row['rate_jobs_per_hour']} | {b.get('avg_jct_h', float('nan')):.2f} | "
            f"{a.get('avg_jct_h', float('nan')):.2f} | "
            f"{row.get('jct_ratio_agnostic_over_aware', float('nan')):.2f} | "
            f"{b.get('jobs_per_s', float('nan')):.0f} | {a.get('jobs_per_s', float('nan')):.0f} |"
        )
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps({"benchmark": "gavel-continuous-multiple", "rows": rows}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
