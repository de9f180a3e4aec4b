"""Job-to-pool rules: compatibility, speed, data transfer and static feasibility.

A pool can host a job only if: the pool's model is among the job's acceptable ``models`` (or
the job accepts any); the job is portable or shares a software stack with the pool (an
incompatible stack is never placed); the accelerator has at least ``min_memory_gb``; and, for a
gang job, the pool is large enough for the whole gang. A job no pool (or, for a non-gang job, no
centre) can ever host is unschedulable, with a reason.
"""

from __future__ import annotations

from .model import Federation, Job, Pool

EPS = 1e-9


def pool_rejection(job: Job, pool: Pool) -> str | None:
    """Why ``pool`` can never host ``job``, or ``None`` if it can."""
    if job.models and pool.model not in job.models:
        return f"accelerator {pool.model} is not among {sorted(job.models)}"
    if job.stacks and not (job.stacks & pool.stacks):
        return f"software stack {sorted(job.stacks)} is not supported ({sorted(pool.stacks)})"
    if pool.accelerator.memory_gb + EPS < job.min_memory_gb:
        return (
            f"{pool.model} has {pool.accelerator.memory_gb:g} GB, job needs {job.min_memory_gb:g}"
        )
    if job.gang and job.accelerators > pool.capacity + EPS:
        return f"gang of {job.accelerators:g} exceeds pool size {pool.capacity}"
    return None


def compat_signature(job: Job) -> tuple[object, ...]:
    """What decides which pools can host ``job``: jobs with one signature share them."""
    size = job.accelerators if job.gang else 0.0
    return (job.models, job.stacks, job.min_memory_gb, size)


def compatible_pool_indices(federation: Federation, job: Job) -> tuple[int, ...]:
    """Indices into ``federation.pools`` of the pools that can ever host ``job`` (memoised)."""
    key = compat_signature(job)
    cache = federation.compat_cache
    found = cache.get(key)
    if found is None:
        found = tuple(
            i for i, pool in enumerate(federation.pools) if pool_rejection(job, pool) is None
        )
        cache[key] = found
    return found


def unschedulable_reason(federation: Federation, job: Job) -> str | None:
    """Why no pool of the federation can ever host ``job``, or ``None`` if some can."""
    if job.accelerators <= 0:
        return "job asks for no accelerators"
    if job.work < 0:
        return "job has negative work"
    indices = compatible_pool_indices(federation, job)
    if not indices:
        reasons = sorted({pool_rejection(job, p) or "" for p in federation.pools})
        shown = "; ".join(reasons[:4])
        more = f" (and {len(reasons) - 4} more)" if len(reasons) > 4 else ""
        return f"no pool can host it: {shown}{more}"
    if not job.gang:
        per_centre: dict[str, int] = {}
        for i in indices:
            pool = federation.pools[i]
            per_centre[pool.centre_id] = per_centre.get(pool.centre_id, 0) + pool.capacity
        if max(per_centre.values()) + EPS < job.accelerators:
            return f"no centre has {job.accelerators:g} compatible accelerators"
    return None


def speed(job: Job, pool: Pool) -> float:
    """Work (reference-seconds) done per second when ``job`` holds its accelerators on ``pool``."""
    if job.speedups:
        value = job.speedups.get(pool.model)
        if value is not None:
            return value
    return pool.accelerator.relative_speed


def transfer_seconds(federation: Federation, job: Job, pool: Pool) -> float:
    """Time to move the job's input data to the pool's centre (0 when already there)."""
    if job.data_centre is None or job.data_gb <= 0 or job.data_centre == pool.centre_id:
        return 0.0
    dest = federation.centre_by_id[pool.centre_id]
    src = federation.centre_by_id.get(job.data_centre)
    bandwidth = dest.bandwidth_gbps if src is None else min(src.bandwidth_gbps, dest.bandwidth_gbps)
    latency = (dest.latency_ms + (src.latency_ms if src else 0.0)) / 1000.0
    return job.data_gb * 8.0 / bandwidth + latency


def expected_runtime(federation: Federation, job: Job, pool: Pool) -> float:
    """Estimated seconds from start to finish on ``pool``, data transfer included."""
    return transfer_seconds(federation, job, pool) + job.estimated_work / speed(job, pool)
