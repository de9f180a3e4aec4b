"""Trace loaders: each maps one public GPU-cluster trace onto engine ``Job``s.

``load_trace("KIND:PATH", options)`` dispatches on KIND through a registry; loaders take a path
(never a built-in location) and raise ``InputError`` naming the file, line and field for bad
rows. How each trace is mapped onto a federation is documented in docs/compute-engine.md and
in each loader's docstring.
"""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

from ..errors import InputError
from ..model import Job
from .common import TraceOptions

TraceLoader = Callable[[Path, TraceOptions], list[Job]]
_LOADERS: dict[str, TraceLoader] = {}


def trace_loader(kind: str) -> Callable[[TraceLoader], TraceLoader]:
    def register(fn: TraceLoader) -> TraceLoader:
        _LOADERS[kind] = fn
        return fn

    return register


def trace_kinds() -> Mapping[str, TraceLoader]:
    return MappingProxyType(_LOADERS)


def load_trace(spec: str, options: TraceOptions | None = None) -> list[Job]:
    """Load ``KIND:PATH`` (e.g. ``philly:traces/philly_jobs_sia.csv.gz``)."""
    kind, sep, path = spec.partition(":")
    if not sep or not path:
        raise InputError(spec, "expected KIND:PATH, e.g. philly:philly_jobs_sia.csv.gz")
    loader = _LOADERS.get(kind)
    if loader is None:
        raise InputError(spec, f"unknown trace kind {kind!r}; known: {', '.join(sorted(_LOADERS))}")
    target = Path(path)
    if not target.exists():
        raise InputError(path, "file not found")
    opts = options or TraceOptions()
    if opts.limit is not None and opts.limit < 1:
        raise InputError("--limit", f"must be at least 1, got {opts.limit}")
    try:
        jobs = loader(target, opts)
    except (UnicodeDecodeError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise InputError(path, f"unreadable data: {exc}") from exc
    _check_jobs(path, jobs)
    if opts.limit is not None:
        jobs = sorted(jobs, key=lambda j: j.submit_time)[: opts.limit]
    return jobs


# Longer than any real job; a duration beyond it is a unit or typing error (and would make the
# simulator track utilisation hour by hour for centuries).
MAX_WORK_SECONDS = 10 * 365 * 86400.0


def _check_jobs(source: str, jobs: list[Job]) -> None:
    """Job ids are unique (metrics are kept per id) and durations are plausible."""
    seen: set[str] = set()
    for job in jobs:
        if job.id in seen:
            raise InputError(source, f"job id {job.id!r} appears more than once", field="id")
        seen.add(job.id)
        if job.work > MAX_WORK_SECONDS:
            raise InputError(
                source,
                f"job {job.id!r} would run {job.work / 86400 / 365:.0f} years; "
                "at most 10 years is plausible (is the unit right?)",
                field="duration",
            )


from . import alibaba, gavel, philly, workloads  # noqa: E402  (registers the loaders)

__all__ = [
    "TraceOptions",
    "alibaba",
    "gavel",
    "load_trace",
    "philly",
    "trace_kinds",
    "trace_loader",
    "workloads",
]
