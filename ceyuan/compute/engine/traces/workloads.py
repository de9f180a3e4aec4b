"""Small research workloads: Pollux/Sia (name, time, application, num_replicas, batch_size)
and Tiresias (job_id, num_gpu, submit_time, iterations, model_name, duration, interval).

Pollux and Sia workloads carry no job length: their simulators train each job to convergence
with a throughput model. We map each application to an ASSUMED total work in reference
GPU-hours, of the order of the size classes in the Pollux paper (Table 1), divided over the
job's replicas (perfect scaling): ncf 0.25, cifar10 1, bert 4 (fine-tuning), deepspeech2 10,
yolov3 30, imagenet 150 GPU-hours. Tenant = application. Tiresias jobs carry their duration.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..model import Job, JobKind
from . import trace_loader
from .common import Attributes, TraceOptions, csv_rows

APPLICATION_GPU_HOURS = {
    "ncf": 0.25,
    "cifar10": 1.0,
    "bert": 4.0,
    "deepspeech2": 10.0,
    "yolov3": 30.0,
    "imagenet": 150.0,
}


def _load_adaptdl(path: Path, options: TraceOptions, prefix: str) -> list[Job]:
    attrs = Attributes(options, prefix)
    jobs = []
    for row in csv_rows(path, ("name", "time", "application", "num_replicas")):
        app = row.text("application")
        if app not in APPLICATION_GPU_HOURS:
            raise InputError(
                row.source, f"unknown application {app!r}", line=row.line, field="application"
            )
        replicas = max(1, row.whole("num_replicas"))
        work = APPLICATION_GPU_HOURS[app] * 3600.0 / replicas
        jobs.append(
            Job(
                id=f"{prefix}-{row.text('name')}",
                tenant=app,
                submit_time=row.number("time") / options.time_scale,
                work=work,
                accelerators=float(replicas),
                kind=JobKind.FINE_TUNING if app == "bert" else JobKind.TRAINING,
                stacks=attrs.stacks(),
                estimate=work,
                data_centre=attrs.data_home(app),
                data_gb=attrs.data_gb(),
                job_type=app,
            )
        )
    return jobs


@trace_loader("pollux")
def load_pollux(path: Path, options: TraceOptions) -> list[Job]:
    return _load_adaptdl(path, options, "pollux")


@trace_loader("sia")
def load_sia(path: Path, options: TraceOptions) -> list[Job]:
    return _load_adaptdl(path, options, "sia")


@trace_loader("tiresias")
def load_tiresias(path: Path, options: TraceOptions) -> list[Job]:
    attrs = Attributes(options, "tiresias")
    jobs = []
    for row in csv_rows(path, ("job_id", "num_gpu", "submit_time", "model_name", "duration")):
        model = row.text("model_name")
        duration = row.number("duration")
        jobs.append(
            Job(
                id=f"tiresias-{row.text('job_id')}",
                tenant=model,
                submit_time=row.number("submit_time") / options.time_scale,
                work=duration,
                accelerators=float(max(1, row.whole("num_gpu"))),
                stacks=attrs.stacks(),
                estimate=duration,
                data_centre=attrs.data_home(model),
                data_gb=attrs.data_gb(),
                job_type=model,
            )
        )
    return jobs
