"""Microsoft Philly (ATC'19) traces.

``philly`` — the 82,247-job flat list re-published by Sia (``philly_jobs_sia.csv[.gz]``:
timestamp, duration, num_gpus, gpu_time, cluster). Mapping: one job per row, id
``philly-<line>``; tenant = the virtual cluster (VC); submit = seconds since the earliest
timestamp, divided by ``time_scale``; work = duration (seconds, taken as reference-accelerator
seconds: the trace does not say which GPU ran it); accelerators = num_gpus as one gang;
estimate = the true duration (perfect estimates; the trace has none); stack = portable with
probability ``portable_share`` else CUDA-only; the VC's data lives in one centre drawn per VC,
each job reading a log-uniform 1–500 GB.

``chronus`` — the Philly-derived Chronus (SoCC'21) traces with deadlines: user, num_gpu,
submit_time, duration, expect_time_list (the job's SLO, seconds after submission) and
job_type (``strict`` jobs get the deadline, priority 1 and are not preemptible; ``best``
effort jobs have no deadline).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..errors import InputError
from ..model import Job, JobKind
from . import trace_loader
from .common import Attributes, TraceOptions, csv_rows


@trace_loader("philly")
def load_philly(path: Path, options: TraceOptions) -> list[Job]:
    attrs = Attributes(options, "philly")
    raw: list[tuple[float, int, float, int, str]] = []
    for row in csv_rows(path, ("timestamp", "duration", "num_gpus", "cluster")):
        stamp = row.text("timestamp")
        try:
            when = datetime.fromisoformat(stamp).timestamp()
        except ValueError:
            raise InputError(
                row.source,
                f"expected YYYY-MM-DD HH:MM:SS, got {stamp!r}",
                line=row.line,
                field="timestamp",
            ) from None
        gpus = row.whole("num_gpus")
        if gpus == 0:
            raise InputError(
                row.source, "a job needs at least one GPU", line=row.line, field="num_gpus"
            )
        duration = row.number("duration")
        if duration < 0:
            raise InputError(row.source, "negative duration", line=row.line, field="duration")
        raw.append((when, gpus, duration, row.line, row.text("cluster")))
    if not raw:
        return []
    origin = min(r[0] for r in raw)
    scale = options.time_scale
    jobs = []
    for when, gpus, duration, line, vc in raw:
        jobs.append(
            Job(
                id=f"philly-{line}",
                tenant=vc,
                submit_time=(when - origin) / scale,
                work=duration,
                accelerators=float(gpus),
                kind=JobKind.TRAINING,
                stacks=attrs.stacks(),
                estimate=duration,
                data_centre=attrs.data_home(vc),
                data_gb=attrs.data_gb(),
                job_type="philly",
            )
        )
    return jobs


@trace_loader("chronus")
def load_chronus(path: Path, options: TraceOptions) -> list[Job]:
    attrs = Attributes(options, "chronus")
    jobs = []
    required = ("job_id", "user", "num_gpu", "submit_time", "duration", "expect_time_list")
    for row in csv_rows(path, required):
        submit = row.number("submit_time") / options.time_scale
        duration = row.number("duration")
        strict = row.values.get("job_type", "strict") == "strict"
        expect = row.number("expect_time_list", allow_empty=True)
        user = row.text("user")
        jobs.append(
            Job(
                id=f"chronus-{row.text('job_id')}",
                tenant=user,
                submit_time=submit,
                work=duration,
                accelerators=float(max(1, row.whole("num_gpu"))),
                stacks=attrs.stacks(),
                estimate=duration,
                deadline=submit + expect if strict and expect == expect else None,
                priority=1 if strict else 0,
                preemptible=not strict,
                data_centre=attrs.data_home(user),
                data_gb=attrs.data_gb(),
                job_type=row.values.get("model_name", ""),
            )
        )
    return jobs
