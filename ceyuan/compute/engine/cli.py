"""Command line: ``ceyuan compute …`` (also ``python -m ceyuan.compute.engine.cli``).

Subcommands:

* ``simulate`` — replay a trace on a federation under one or more policies
  (``--policy fifo,gavel_maxmin,domestic_first``), print a table, optionally write a JSON
  result log and a plot; progress goes to stderr;
* ``compare`` — the same, plus each metric's ratio to the first policy;
* ``policies`` / ``traces`` — list what is registered;
* ``validate`` — check a federation (and catalogue) file and print its capacity.

Bad input exits with status 2 and a message naming the file, line and field.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .catalogue import DEFAULT_CATALOGUE, load_catalogue
from .errors import InputError
from .federation import load_federation, resolve_federation_path
from .metrics import summarise
from .model import Federation, TenantAccount
from .policies import make_policy, policy_label, registered_policies
from .report import RunReport, format_table, plot_runs, write_result_log
from .simulator import Outage, SimulationConfig, simulate
from .traces import TraceOptions, load_trace, trace_kinds
from .traces.alibaba import load_openb_federation


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ceyuan compute", description="Multi-cloud compute federation scheduler and simulator."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("simulate", "replay a trace under one or more policies"),
        ("compare", "replay a trace under several policies and compare with the first"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument(
            "--trace", required=True, help="KIND:PATH, e.g. philly:philly_jobs_sia.csv.gz"
        )
        p.add_argument(
            "--federation",
            default="builtin:beijing",
            help="federation YAML path, builtin:beijing, builtin:gavel or openb-nodes:PATH",
        )
        p.add_argument("--catalogue", default=None, help="accelerator catalogue YAML")
        p.add_argument("--policy", default="fifo", help="comma-separated policy specs")
        p.add_argument("--trace-option", action="append", default=[], metavar="KEY=VALUE")
        p.add_argument("--seed", type=int, default=0)
        p.add_argument("--limit", type=int, default=None, help="first N jobs only")
        p.add_argument("--time-scale", type=float, default=1.0, help="compress arrivals by X")
        p.add_argument("--portable-share", type=float, default=0.6)
        p.add_argument("--failure-mode", choices=("requeue", "lose"), default="requeue")
        p.add_argument(
            "--outage",
            action="append",
            default=[],
            metavar="CENTRE:START_H:END_H",
            help="take a centre (or pool) down between two times in hours",
        )
        p.add_argument("--node-mtbf-hours", type=float, default=None)
        p.add_argument(
            "--quota",
            action="append",
            default=[],
            metavar="TENANT=WEIGHT",
            help="fair-share weight of a tenant (drf); default 1",
        )
        p.add_argument(
            "--window",
            default=None,
            metavar="FIRST:LAST",
            help="metrics over jobs FIRST..LAST (0-based, in submission order); "
            "the run stops when they are all done",
        )
        p.add_argument("--json", type=Path, default=None, help="write the result log here")
        p.add_argument("--include-jobs", action="store_true", help="per-job rows in the log")
        p.add_argument("--plot", type=Path, default=None, help="write a PNG/SVG plot here")
        p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    sub.add_parser("policies", help="list registered policies")
    sub.add_parser("traces", help="list trace kinds")
    v = sub.add_parser("validate", help="check a federation file")
    v.add_argument("--federation", required=True)
    v.add_argument("--catalogue", default=None)
    return parser


def _federation(spec: str, catalogue_path: str | None) -> Federation:
    catalogue = load_catalogue(catalogue_path)
    if spec.startswith("openb-nodes:"):
        return load_openb_federation(Path(spec.removeprefix("openb-nodes:")), catalogue)
    return load_federation(resolve_federation_path(spec), catalogue)


def _extra(items: Sequence[str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError("--trace-option", f"expected KEY=VALUE, got {item!r}")
        result[key] = value.lower() == "true" if value.lower() in ("true", "false") else value
    return result


def _quotas(items: Sequence[str]) -> dict[str, TenantAccount]:
    result = {}
    for item in items:
        tenant, sep, weight = item.partition("=")
        try:
            value = float(weight)
        except ValueError:
            value = -1.0
        if not sep or not tenant or not (math.isfinite(value) and value > 0):
            raise InputError("--quota", f"expected TENANT=WEIGHT with WEIGHT > 0, got {item!r}")
        result[tenant] = TenantAccount(tenant, value)
    return result


def _outages(items: Sequence[str], fed: Federation) -> tuple[Outage, ...]:
    result = []
    for item in items:
        parts = item.split(":")
        if len(parts) != 3:
            raise InputError("--outage", f"expected CENTRE:START_H:END_H, got {item!r}")
        target = parts[0]
        if target not in fed.centre_by_id and target not in fed.pool_index:
            raise InputError("--outage", f"no centre or pool {target!r} in the federation")
        try:
            start, end = float(parts[1]) * 3600.0, float(parts[2]) * 3600.0
        except ValueError:
            raise InputError("--outage", f"bad hours in {item!r}") from None
        if not (math.isfinite(start) and math.isfinite(end) and start <= end):
            raise InputError("--outage", f"expected finite hours, START <= END, in {item!r}")
        result.append(Outage(target, start, end))
    return tuple(result)


PLOT_SUFFIXES = (".png", ".svg", ".pdf", ".jpg")


def _check_args(args: argparse.Namespace) -> tuple[int, int] | None:
    """Refuse bad options before any work (InputError naming the option); returns the window.

    Output paths are checked here too, so that a long run does not end in a failed write."""

    def finite(name: str, value: float | None, *, low: float, high: float = math.inf) -> None:
        if value is not None and not (math.isfinite(value) and low <= value <= high):
            bounds = f"between {low:g} and {high:g}" if math.isfinite(high) else f">= {low:g}"
            raise InputError(name, f"must be a number {bounds}, got {value!r}")

    finite("--time-scale", args.time_scale, low=1e-9)
    finite("--portable-share", args.portable_share, low=0.0, high=1.0)
    finite("--node-mtbf-hours", args.node_mtbf_hours, low=1e-9)
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit", f"must be at least 1, got {args.limit}")
    if not [s for s in args.policy.split(",") if s.strip()]:
        raise InputError("--policy", "give at least one policy (see 'compute policies')")
    for option, path in (("--json", args.json), ("--plot", args.plot)):
        if path is None:
            continue
        if path.is_dir():
            raise InputError(option, f"{path} is a directory; give a file name")
        if not path.parent.is_dir():
            raise InputError(option, f"directory {path.parent} does not exist")
    if args.plot is not None and args.plot.suffix.lower() not in PLOT_SUFFIXES:
        raise InputError("--plot", f"give a file ending in {', '.join(PLOT_SUFFIXES)}")
    if not args.window:
        return None
    first, sep, last = args.window.partition(":")
    if not (sep and first.strip().isdigit() and last.strip().isdigit()):
        raise InputError("--window", f"expected FIRST:LAST job numbers, got {args.window!r}")
    if int(first) > int(last):
        raise InputError("--window", f"FIRST must not come after LAST: {args.window!r}")
    return int(first), int(last)


def _simulate(args: argparse.Namespace, *, compare: bool) -> int:
    window_range = _check_args(args)
    policies = [make_policy(spec) for spec in args.policy.split(",") if spec.strip()]
    fed = _federation(args.federation, args.catalogue)
    options = TraceOptions(
        seed=args.seed,
        portable_share=args.portable_share,
        data_centres=tuple(c.id for c in fed.centres),
        time_scale=args.time_scale,
        limit=args.limit,
        extra=_extra(args.trace_option),
    )
    started = time.perf_counter()
    jobs = load_trace(args.trace, options)
    if not args.quiet:
        print(f"loaded {len(jobs)} jobs in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    window = None
    if window_range is not None:
        first, last = window_range
        if last >= len(jobs):
            raise InputError("--window", f"the trace has {len(jobs)} jobs, numbered from 0")
        order = sorted(jobs, key=lambda j: j.submit_time)
        window = frozenset(j.id for j in order[first : last + 1])
    origin = min((j.submit_time for j in jobs), default=0.0)
    outages = tuple(
        Outage(o.target, origin + o.start, origin + o.end) for o in _outages(args.outage, fed)
    )
    config = SimulationConfig(
        seed=args.seed,
        failure_mode=args.failure_mode,
        outages=outages,
        node_mtbf_hours=args.node_mtbf_hours,
        stop_after=window,
        tenants=_quotas(args.quota),
    )
    runs: list[RunReport] = []
    for policy in policies:
        label = policy_label(policy)

        def progress(done: int, total: int, label: str = label) -> None:
            if not args.quiet:
                print(f"  [{label}] {done}/{total} jobs arrived", file=sys.stderr, flush=True)

        t0 = time.perf_counter()
        result = simulate(fed, jobs, policy, config, progress)
        wall = time.perf_counter() - t0
        runs.append(RunReport(label, summarise(result, window), result, wall))
        if not args.quiet:
            print(f"  [{label}] {result.events} events in {wall:.1f} s", file=sys.stderr)
    print(format_table(runs))
    if compare and len(runs) > 1:
        print()
        print(_ratios(runs))
    if args.json is not None:
        meta = {
            "trace": args.trace,
            "federation": args.federation,
            "federation_name": fed.name,
            "catalogue": args.catalogue or str(DEFAULT_CATALOGUE.name),
            "seed": args.seed,
            "trace_options": {
                "portable_share": args.portable_share,
                "time_scale": args.time_scale,
                "limit": args.limit,
                **_extra(args.trace_option),
            },
            "failure_mode": args.failure_mode,
            "outages": args.outage,
            "node_mtbf_hours": args.node_mtbf_hours,
            "quotas": args.quota,
            "window": args.window,
            "include_jobs": args.include_jobs,
        }
        write_result_log(args.json, runs, meta)
    if args.plot is not None:
        plot_runs(runs, args.plot)
    return 0


def _ratios(runs: Sequence[RunReport]) -> str:
    base = runs[0].summary
    lines = [f"ratio to {runs[0].policy}: JCT mean, queue mean, cost, domestic share"]
    for run in runs[1:]:
        s = run.summary

        def r(a: float, b: float) -> str:
            return f"{a / b:.3f}" if b else "n/a"

        lines.append(
            f"  {run.policy}: {r(s.jct_mean_s, base.jct_mean_s)}  "
            f"{r(s.queue_mean_s, base.queue_mean_s)}  {r(s.cost, base.cost)}  "
            f"{r(s.domestic_share, base.domestic_share)}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in ("simulate", "compare"):
            return _simulate(args, compare=args.command == "compare")
        if args.command == "policies":
            for name, factory in sorted(registered_policies().items()):
                doc = (factory.__doc__ or "").strip().splitlines()
                print(f"{name:16} {doc[0] if doc else ''}")
            return 0
        if args.command == "traces":
            for name, loader in sorted(trace_kinds().items()):
                print(f"{name:16} {loader.__module__}")
            return 0
        fed = _federation(args.federation, args.catalogue)
        domestic = sum(p.capacity for p in fed.pools if p.domestic)
        print(
            f"{fed.name}: {len(fed.centres)} centres, {len(fed.pools)} pools, "
            f"{fed.capacity} accelerators ({domestic} domestic)"
        )
        return 0
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
