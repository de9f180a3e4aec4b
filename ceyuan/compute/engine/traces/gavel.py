"""Gavel (OSDI'20): throughput table, Philly-derived per-VC traces and the Poisson generator.

Throughput table (``simulation_throughputs.json[.gz]``): steps/s of each (job type, scale
factor) on worker types k80/p100/v100, mapped to catalogue models K80/P100/V100. A job's
``speedups`` are its consolidated throughputs divided by its V100 throughput, so ``work`` is
seconds on V100 (the reference). Scale factors the table lacks (> 8 in the MSR traces) use the
largest listed one, throughput scaled linearly (an assumption).

``gavel_msr`` — per-VC traces (``msr_seed0.tar.gz``, a directory of ``.trace`` files, or one
file; tab-separated, 7 fields: job_type, command, num_steps_arg, needs_data_dir, total_steps,
arrival_time, scale_factor): tenant = the VC file name; work = total_steps / V100 throughput.
Option ``throughputs=PATH`` (default: ``simulation_throughputs.json.gz`` beside the trace).

``gavel_poisson`` — Gavel's generator for its "continuous" experiments (``scheduler/utils.py``
``generate_job``): job type uniform over the 26 types; for types that scale (those with
multi-GPU entries) scale factor 1/2/4/8 with probability .70/.10/.15/.05; duration
60 x 10^U(1.5, 3) s with probability 0.8 else 60 x 10^U(3, 4) s on V100; Poisson arrivals at
``rate`` jobs/hour. PATH is the throughput table; options ``rate``, ``jobs``, ``seed``.
"""

from __future__ import annotations

import ast
import gzip
import json
import math
import random
import tarfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from ..errors import InputError
from ..model import Job
from . import trace_loader
from .common import CUDA_ONLY, TraceOptions

WORKER_MODELS = {"v100": "V100", "p100": "P100", "k80": "K80"}
REFERENCE = "V100"


@dataclass(frozen=True, slots=True)
class ThroughputTable:
    """steps/s by (job type, scale factor) then catalogue model (consolidated placement)."""

    table: Mapping[tuple[str, int], Mapping[str, float]]

    @property
    def job_types(self) -> tuple[str, ...]:
        return tuple(sorted({t for t, sf in self.table if sf == 1}))

    def scale_factors(self, job_type: str) -> tuple[int, ...]:
        return tuple(sorted(sf for t, sf in self.table if t == job_type))

    def throughputs(
        self, job_type: str, scale_factor: int, source: str = ""
    ) -> Mapping[str, float]:
        entry = self.table.get((job_type, scale_factor))
        if entry is not None:
            return entry
        known = [sf for sf in self.scale_factors(job_type) if sf <= scale_factor]
        if not known:
            raise InputError(
                source or "throughput table", f"no throughput for {job_type!r}", field="job_type"
            )
        base = self.table[(job_type, max(known))]
        factor = scale_factor / max(known)
        return MappingProxyType({m: v * factor for m, v in base.items()})

    def speedups(self, job_type: str, scale_factor: int) -> Mapping[str, float]:
        tput = self.throughputs(job_type, scale_factor)
        ref = tput[REFERENCE]
        return MappingProxyType({m: v / ref for m, v in tput.items()})


def load_throughputs(path: Path) -> ThroughputTable:
    source = str(path)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                raw = handle.read()
        else:
            raw = path.read_text("utf-8")
        data = json.loads(raw)
    except (OSError, EOFError, ValueError) as exc:
        raise InputError(source, f"not a readable JSON throughput table: {exc}") from exc
    table: dict[tuple[str, int], dict[str, float]] = {}
    if not isinstance(data, dict):
        raise InputError(source, 'expected an object of worker types, e.g. {"v100": {...}}')
    for worker, model in WORKER_MODELS.items():
        if worker not in data:
            raise InputError(source, "worker type missing", field=worker)
        if not isinstance(data[worker], dict):
            raise InputError(source, "expected an object of job types", field=worker)
        for key, entry in data[worker].items():
            try:
                job_type, scale = ast.literal_eval(key)
                value = float(entry["null"])
            except (ValueError, SyntaxError, TypeError, KeyError):
                raise InputError(source, f"bad entry {key!r}", field=worker) from None
            if not (math.isfinite(value) and value >= 0):
                raise InputError(
                    source, f"throughput of {key!r} must be a finite number >= 0", field=worker
                )
            table.setdefault((str(job_type), int(scale)), {})[model] = value
    complete = {
        k: MappingProxyType(v)
        for k, v in table.items()
        if len(v) == len(WORKER_MODELS) and v[REFERENCE] > 0
    }
    return ThroughputTable(MappingProxyType(complete))


def _table_for(path: Path, options: TraceOptions) -> ThroughputTable:
    given = options.extra.get("throughputs")
    where = Path(str(given)) if given else path.parent / "simulation_throughputs.json.gz"
    if not where.exists():
        raise InputError(str(where), "throughput table not found (pass throughputs=PATH)")
    return load_throughputs(where)


def _trace_files(path: Path) -> Iterable[tuple[str, str, list[str]]]:
    """(source name, tenant, lines) for a .tar.gz of traces, a directory or one file."""
    if path.is_dir():
        for f in sorted(path.glob("*.trace")):
            yield str(f), f.stem, f.read_text("utf-8").splitlines()
    elif path.name.endswith(".tar.gz"):
        with tarfile.open(path, "r:gz") as tar:
            for member in sorted(tar.getmembers(), key=lambda m: m.name):
                if member.isfile() and member.name.endswith(".trace"):
                    handle = tar.extractfile(member)
                    assert handle is not None
                    name = Path(member.name).stem
                    yield f"{path}!{member.name}", name, handle.read().decode("utf-8").splitlines()
    else:
        yield str(path), path.stem, path.read_text("utf-8").splitlines()


@trace_loader("gavel_msr")
def load_gavel_msr(path: Path, options: TraceOptions) -> list[Job]:
    table = _table_for(path, options)
    jobs: list[Job] = []
    for source, tenant, lines in _trace_files(path):
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            fields = line.split("\t")
            if len(fields) == 7:
                job_type, steps_text, arrival_text, sf_text = (
                    fields[0],
                    fields[4],
                    fields[5],
                    fields[6],
                )
            elif len(fields) == 10:
                job_type, steps_text, sf_text, arrival_text = (
                    fields[0],
                    fields[5],
                    fields[6],
                    fields[9],
                )
            else:
                raise InputError(
                    source,
                    f"expected 7 or 10 tab-separated fields, found {len(fields)}",
                    line=number,
                )
            steps = _num(source, number, "total_steps", steps_text)
            arrival = _num(source, number, "arrival_time", arrival_text)
            scale_value = _num(source, number, "scale_factor", sf_text)
            scale = int(scale_value)
            if scale < 1 or scale != scale_value:
                raise InputError(
                    source,
                    f"scale factor must be a whole number >= 1, got {sf_text!r}",
                    line=number,
                    field="scale_factor",
                )
            if (job_type, 1) not in table.table:
                raise InputError(
                    source,
                    f"job type {job_type!r} not in the throughput table",
                    line=number,
                    field="job_type",
                )
            tput = table.throughputs(job_type, scale, source)
            work = steps / tput[REFERENCE]
            jobs.append(
                Job(
                    id=f"{tenant}-{number}",
                    tenant=tenant,
                    submit_time=arrival / options.time_scale,
                    work=work,
                    accelerators=float(scale),
                    stacks=CUDA_ONLY,
                    estimate=work,
                    speedups=table.speedups(job_type, scale),
                    job_type=job_type,
                )
            )
    return jobs


def _num(source: str, line: int, field: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            source, f"expected a number, got {text!r}", line=line, field=field
        ) from None
    if not math.isfinite(value) or value < 0:
        raise InputError(source, f"expected a number >= 0, got {text!r}", line=line, field=field)
    return value


def generate_continuous(
    table: ThroughputTable,
    *,
    rate_per_hour: float,
    jobs: int,
    seed: int = 0,
    multi_gpu: bool = True,
) -> list[Job]:
    """Gavel's continuous-arrival workload (see module docstring), deterministic for ``seed``."""
    type_rng = random.Random(seed)
    arrival_rng = random.Random(seed + 1)
    duration_rng = random.Random(seed + 2)
    scale_rng = random.Random(seed + 3)
    types = table.job_types
    mean_gap = 3600.0 / rate_per_hour
    now = 0.0
    result: list[Job] = []
    for n in range(jobs):
        job_type = types[type_rng.randrange(len(types))]
        scale = 1
        if multi_gpu and len(table.scale_factors(job_type)) > 1:
            r = scale_rng.uniform(0, 1)
            if 0.7 <= r <= 0.8:
                scale = 2
            elif 0.8 <= r <= 0.95:
                scale = 4
            elif r >= 0.95:
                scale = 8
        if duration_rng.random() >= 0.8:
            run_time = 60 * 10 ** duration_rng.uniform(3, 4)
        else:
            run_time = 60 * 10 ** duration_rng.uniform(1.5, 3)
        result.append(
            Job(
                id=f"gavel-{n}",
                tenant="gavel",
                submit_time=now,
                work=run_time,
                accelerators=float(scale),
                stacks=CUDA_ONLY,
                estimate=run_time,
                speedups=table.speedups(job_type, scale),
                job_type=job_type,
            )
        )
        now += -math.log(1.0 - arrival_rng.random()) * mean_gap
    return result


@trace_loader("gavel_poisson")
def load_gavel_poisson(path: Path, options: TraceOptions) -> list[Job]:
    table = load_throughputs(path)
    try:
        rate = float(options.extra.get("rate", 2.0))
    except ValueError:
        rate = math.nan
    if not (math.isfinite(rate) and rate > 0):
        raise InputError("--trace-option", "must be a number of jobs per hour > 0", field="rate")
    jobs = str(options.extra.get("jobs", 1000))
    if not jobs.isdigit():
        raise InputError("--trace-option", "must be a whole number >= 0", field="jobs")
    count = int(jobs)
    if count and not table.job_types:
        raise InputError(str(path), "no job type with scale factor 1 to draw jobs from")
    return generate_continuous(table, rate_per_hour=rate, jobs=count, seed=options.seed)
