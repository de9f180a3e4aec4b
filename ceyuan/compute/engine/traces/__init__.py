"""Trace loaders: each maps one public GPU-cluster trace onto engine ``Job``s.

``load_trace("KIND:PATH", options)`` dispatches on KIND through a registry; loaders take a path
(never a built-in location) and raise ``InputError`` naming the file, line and field for bad
rows. How each trace is mapped onto a federation is documented in docs/compute-engine.md and
in each loader's docstring.
"""

from __future__ import annotations

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
    jobs = loader(target, options or TraceOptions())
    opts = options or TraceOptions()
    if opts.limit is not None:
        jobs = sorted(jobs, key=lambda j: j.submit_time)[: opts.limit]
    return jobs


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
