"""One simulation of Gavel's continuous-multiple workload, for counting instructions.

Wall-clock figures on shared cores are noisy; instruction counts (valgrind callgrind) are not.
Per-round cost = (count for N jobs - count for 100 jobs) / (rounds for N - rounds for 100):
imports, loading and a short warm-up run are the same in both and cancel out.

Usage:
    valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \\
        .venv/bin/python bench/compute_instructions.py maxmin 2.5 1500
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ceyuan.compute.engine.federation import BUILTIN_FEDERATIONS, load_federation
from ceyuan.compute.engine.policies import make_policy
from ceyuan.compute.engine.simulator import SimulationConfig, simulate
from ceyuan.compute.engine.traces.gavel import generate_continuous, load_throughputs

SHARED = Path(os.environ.get("CEYUAN_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("policy")
    parser.add_argument("rate", type=float, help="arrivals per hour")
    parser.add_argument("jobs", type=int, help="jobs generated; metrics window = second half")
    args = parser.parse_args()
    fed = load_federation(BUILTIN_FEDERATIONS["gavel"])
    table = load_throughputs(
        SHARED / "data" / "traces" / "gavel" / "simulation_throughputs.json.gz"
    )
    jobs = generate_continuous(table, rate_per_hour=args.rate, jobs=args.jobs, seed=0)
    n = args.jobs
    window = frozenset(j.id for j in jobs[n // 2 : n - 1])
    if args.policy == "gavel_maxmin":
        import scipy.optimize  # noqa: F401  (imported before the measured part)
    simulate(fed, jobs[:50], make_policy(args.policy), SimulationConfig())  # warm-up
    result = simulate(fed, jobs, make_policy(args.policy), SimulationConfig(stop_after=window))
    print("rounds", result.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
