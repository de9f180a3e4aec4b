"""Outputs of a run: a versioned JSON result log, a text table and plots.

The result log (schema ``ceyuan.compute.result/1``) records everything needed to rebuild the
run (trace spec and mapping options, federation, policy spec with its construction options,
simulation config, seed) next to the metrics, per-pool utilisation, unschedulable jobs with
reasons and the per-job outcomes. matplotlib is imported only when a plot is asked for.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .metrics import Summary, pool_utilisation
from .simulator import JobStatus, SimulationResult

RESULT_SCHEMA = "ceyuan.compute.result/1"


@dataclass(frozen=True, slots=True)
class RunReport:
    policy: str
    summary: Summary
    result: SimulationResult
    wall_seconds: float


def result_log(runs: Sequence[RunReport], meta: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-ready dict; ``meta`` holds trace, federation, seed and config."""
    return {
        "schema": RESULT_SCHEMA,
        "meta": dict(meta),
        "runs": [
            {
                "policy": run.policy,
                "wall_seconds": run.wall_seconds,
                "events_per_second": run.result.events / run.wall_seconds
                if run.wall_seconds > 0
                else None,
                "metrics": {k: _clean(v) for k, v in run.summary.as_dict().items()},
                "pool_utilisation": dict(pool_utilisation(run.result)),
                "pool_utilisation_series": {
                    "bucket_s": run.result.bucket,
                    "pools": {
                        pool: [round(v, 4) for v in series]
                        for pool, series in run.result.pool_busy.items()
                    },
                },
                "unschedulable": [
                    {"job": r.job.id, "reason": r.reason}
                    for r in run.result.records
                    if r.status is JobStatus.UNSCHEDULABLE
                ][:1000],
                "jobs": [
                    {
                        "id": r.job.id,
                        "tenant": r.job.tenant,
                        "status": r.status.value,
                        "submit": r.job.submit_time,
                        "start": r.first_start,
                        "finish": r.finish,
                        "accelerator_hours": r.accelerator_seconds / 3600.0,
                        "cost": r.cost,
                    }
                    for r in run.result.records
                ]
                if meta.get("include_jobs")
                else [],
            }
            for run in runs
        ],
    }


def _clean(value: float | int) -> float | int | None:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_result_log(path: Path, runs: Sequence[RunReport], meta: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(result_log(runs, meta), indent=1, sort_keys=False), "utf-8")


_COLUMNS = (
    ("policy", "policy", "{}"),
    ("jobs", "jobs", "{}"),
    ("done", "done", "{}"),
    ("JCT mean h", "jct_mean_s", "h"),
    ("JCT med h", "jct_median_s", "h"),
    ("JCT p99 h", "jct_p99_s", "h"),
    ("queue mean h", "queue_mean_s", "h"),
    ("makespan h", "makespan_s", "h"),
    ("util", "utilisation", "{:.3f}"),
    ("domestic", "domestic_share", "{:.3f}"),
    ("cost kCNY", "cost", "k"),
    ("Jain", "jain_fairness", "{:.3f}"),
    ("ddl miss", "deadline_misses", "{}"),
    ("unsched", "unschedulable", "{}"),
    ("lost", "lost", "{}"),
    ("unfinished", "unfinished", "{}"),
    ("events/s", "events_per_second", "{:.0f}"),
)


def format_table(runs: Sequence[RunReport]) -> str:
    """A fixed-width table, one row per policy."""
    rows = [[title for title, _, _ in _COLUMNS]]
    for run in runs:
        values: dict[str, object] = dict(run.summary.as_dict())
        values["policy"] = run.policy
        values["events_per_second"] = (
            run.result.events / run.wall_seconds if run.wall_seconds > 0 else float("nan")
        )
        row = []
        for _, key, fmt in _COLUMNS:
            v = values[key]
            if fmt == "h":
                row.append(f"{float(v) / 3600.0:.2f}")  # type: ignore[arg-type]
            elif fmt == "k":
                row.append(f"{float(v) / 1000.0:.1f}")  # type: ignore[arg-type]
            else:
                row.append(fmt.format(v))
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(_COLUMNS))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def plot_runs(runs: Sequence[RunReport], path: Path) -> None:
    """JCT distribution and federation utilisation over time, one line per policy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_cdf, ax_util) = plt.subplots(1, 2, figsize=(12, 4.5))
    for run in runs:
        jct = sorted(
            (r.finish - r.job.submit_time) / 3600.0
            for r in run.result.records
            if r.finish is not None
        )
        if jct:
            ys = [(i + 1) / len(jct) for i in range(len(jct))]
            ax_cdf.plot(jct, ys, label=run.policy)
        fed = run.result.federation
        series = run.result.pool_busy
        n = max((len(s) for s in series.values()), default=0)
        if n:
            total = [
                sum(series[p.id][b] * p.capacity for p in fed.pools if b < len(series[p.id]))
                / fed.capacity
                for b in range(n)
            ]
            hours = [b * run.result.bucket / 3600.0 for b in range(n)]
            ax_util.plot(hours, total, label=run.policy, linewidth=0.8)
    ax_cdf.set_xscale("log")
    ax_cdf.set_xlabel("job completion time (h)")
    ax_cdf.set_ylabel("fraction of jobs")
    ax_cdf.legend()
    ax_util.set_xlabel("time (h)")
    ax_util.set_ylabel("federation utilisation")
    ax_util.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
