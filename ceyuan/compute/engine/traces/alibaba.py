"""Alibaba GPU cluster trace 2023, "openb" (FGD, ATC'23).

Pods (``openb_pod_list_*.csv``): name, num_gpu, gpu_milli, gpu_spec, qos, creation_time,
deletion_time, scheduled_time. Mapping: CPU-only pods (num_gpu = 0) are skipped; submit =
creation_time / ``time_scale``; work = deletion_time − scheduled_time (creation_time when never
scheduled), as reference seconds; accelerators = gpu_milli / 1000 for a single shared GPU
(fractional), else num_gpu as one gang; tenant = QoS class; priority Guaranteed 3 > LS 2 >
Burstable 1 > BE 0, and only BE pods are preemptible; LS pods are inference, others batch;
stack CUDA. GPU-type constraints (gpu_spec, ``|``-separated): with option ``exact_models=true``
they become the job's acceptable models (use with the ``openb-nodes:`` federation built from
the trace's node list); by default they become a minimum memory (the smallest memory among the
listed models), so the constraint carries over to a federation without those exact models.

Nodes (``openb_node_list_*.csv``): ``load_openb_federation`` builds a one-centre federation with
one pool per (model, GPUs per node) from the catalogue entries of the same name.
"""

from __future__ import annotations

from pathlib import Path

from ..catalogue import Catalogue
from ..errors import InputError
from ..model import Centre, CentreKind, Federation, Job, JobKind, Pool
from . import trace_loader
from .common import CUDA_ONLY, TraceOptions, csv_rows

_PRIORITY = {"Guaranteed": 3, "LS": 2, "Burstable": 1, "BE": 0}
_MEMORY_GB = {"V100M16": 16.0, "V100M32": 32.0, "T4": 16.0, "P100": 16.0, "A10": 24.0}


@trace_loader("openb")
def load_openb(path: Path, options: TraceOptions) -> list[Job]:
    exact = bool(options.extra.get("exact_models", False))
    jobs = []
    required = ("name", "num_gpu", "gpu_milli", "gpu_spec", "qos", "creation_time", "deletion_time")
    for row in csv_rows(path, required):
        gpus = row.whole("num_gpu")
        if gpus == 0:
            continue
        milli = row.number("gpu_milli")
        if not 0 < milli <= 1000:
            raise InputError(
                row.source, f"gpu_milli {milli:g} outside 1..1000", line=row.line, field="gpu_milli"
            )
        created = row.number("creation_time")
        scheduled = (
            row.number("scheduled_time", allow_empty=True)
            if "scheduled_time" in row.values
            else created
        )
        began = scheduled if scheduled == scheduled else created
        deleted = row.number("deletion_time")
        if deleted < began:
            raise InputError(
                row.source, "deletion before start", line=row.line, field="deletion_time"
            )
        qos = row.text("qos")
        spec = tuple(s for s in row.text("gpu_spec").split("|") if s)
        models: frozenset[str] = frozenset(spec) if exact else frozenset()
        memory = 0.0 if exact or not spec else min(_MEMORY_GB.get(s, 0.0) for s in spec)
        jobs.append(
            Job(
                id=row.text("name"),
                tenant=qos,
                submit_time=created / options.time_scale,
                work=deleted - began,
                accelerators=milli / 1000.0 if gpus == 1 else float(gpus),
                kind=JobKind.INFERENCE if qos == "LS" else JobKind.BATCH,
                min_memory_gb=memory,
                models=models,
                stacks=CUDA_ONLY,
                estimate=deleted - began,
                priority=_PRIORITY.get(qos, 0),
                preemptible=qos == "BE",
                job_type="openb",
            )
        )
    return jobs


def load_openb_federation(path: Path, catalogue: Catalogue) -> Federation:
    """One centre with a pool per (GPU model, GPUs per node) from an openb node list."""
    groups: dict[tuple[str, int], int] = {}
    for row in csv_rows(path, ("sn", "gpu", "model")):
        gpus = row.whole("gpu")
        model = row.text("model").strip()
        if gpus == 0 or not model:
            continue
        if model not in catalogue:
            raise InputError(
                row.source, f"model {model!r} is not in the catalogue", line=row.line, field="model"
            )
        groups[(model, gpus)] = groups.get((model, gpus), 0) + 1
    pools = tuple(
        Pool(
            id=f"openb-{model}-x{per_node}",
            centre_id="openb",
            accelerator=catalogue[model],
            nodes=nodes,
            accelerators_per_node=per_node,
            stacks=catalogue[model].stacks,
            price_per_hour=catalogue[model].list_price_per_hour,
            domestic=catalogue[model].domestic,
        )
        for (model, per_node), nodes in sorted(groups.items())
    )
    centre = Centre(
        "openb",
        "Alibaba openb cluster",
        CentreKind.COMMERCIAL,
        "trace",
        0.0,
        100.0,
        1.3,
        0.5,
        1,
        pools,
    )
    return Federation("openb", (centre,))
