"""Shared pieces of the trace loaders: options, CSV rows with line numbers, job attributes
that the public traces do not carry (software stack, data location), drawn reproducibly."""

from __future__ import annotations

import csv
import gzip
import io
import math
import random
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import empty_mapping

PORTABLE: frozenset[str] = frozenset()
CUDA_ONLY: frozenset[str] = frozenset({"cuda"})


@dataclass(frozen=True, slots=True)
class TraceOptions:
    """How to map a trace onto a federation.

    ``portable_share``: fraction of jobs whose code runs on any stack (the rest need CUDA);
    ``data_centres``: centres where tenants' data may live (one home centre per tenant);
    ``time_scale``: divide inter-arrival times by this (> 1 raises the load);
    ``limit``: keep the first N jobs by submission time; ``extra``: loader-specific options.
    """

    seed: int = 0
    portable_share: float = 0.6
    data_centres: tuple[str, ...] = ()
    data_gb_range: tuple[float, float] = (1.0, 500.0)
    time_scale: float = 1.0
    limit: int | None = None
    extra: Mapping[str, Any] = field(default_factory=empty_mapping, compare=False)


def open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


@dataclass(slots=True)
class Row:
    """One CSV row; typed getters raise ``InputError`` with file, line and field."""

    source: str
    line: int
    values: dict[str, str]

    def text(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            raise InputError(self.source, "column is missing", line=self.line, field=key)
        return value

    def number(self, key: str, *, allow_empty: bool = False) -> float:
        raw = self.text(key).strip()
        if raw == "" and allow_empty:
            return math.nan
        try:
            value = float(raw)
        except ValueError:
            raise InputError(
                self.source, f"expected a number, got {raw!r}", line=self.line, field=key
            ) from None
        if not math.isfinite(value):
            raise InputError(
                self.source, f"not a finite number: {raw!r}", line=self.line, field=key
            )
        return value

    def whole(self, key: str) -> int:
        value = self.number(key)
        if value != int(value) or value < 0:
            raise InputError(
                self.source,
                f"expected a whole number >= 0, got {value!r}",
                line=self.line,
                field=key,
            )
        return int(value)


def csv_rows(path: Path, required: tuple[str, ...], *, delimiter: str = ",") -> Iterator[Row]:
    """Yield rows of a (possibly gzipped) CSV with a header, checking required columns."""
    source = str(path)
    try:
        handle = open_text(path)
    except OSError as exc:
        raise InputError(source, f"cannot read file: {exc.strerror}") from exc
    with handle:
        reader = None
        try:
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                raise InputError(source, "file is empty", line=1)
            header = [h.strip() for h in header]
            missing = [c for c in required if c not in header]
            if missing:
                raise InputError(source, "header lacks required column", line=1, field=missing[0])
            for values in reader:
                if not values:
                    continue
                if len(values) != len(header):
                    raise InputError(
                        source,
                        f"expected {len(header)} fields, found {len(values)}",
                        line=reader.line_num,
                    )
                yield Row(source, reader.line_num, dict(zip(header, values, strict=True)))
        except (OSError, EOFError, UnicodeDecodeError, csv.Error, zlib.error) as exc:
            line = reader.line_num + 1 if reader is not None else None  # the line being read
            raise InputError(source, f"unreadable data: {exc}", line=line) from exc


class Attributes:
    """Reproducible draws of what traces lack: portability, data home and size."""

    def __init__(self, options: TraceOptions, salt: str) -> None:
        self.options = options
        self.rng = random.Random(f"{options.seed}:{salt}")
        self.homes: dict[str, str | None] = {}

    def stacks(self) -> frozenset[str]:
        return PORTABLE if self.rng.random() < self.options.portable_share else CUDA_ONLY

    def data_home(self, tenant: str) -> str | None:
        if tenant not in self.homes:
            centres = self.options.data_centres
            self.homes[tenant] = centres[self.rng.randrange(len(centres))] if centres else None
        return self.homes[tenant]

    def data_gb(self) -> float:
        low, high = self.options.data_gb_range
        return math.exp(self.rng.uniform(math.log(low), math.log(high)))
