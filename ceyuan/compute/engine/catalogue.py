"""The accelerator catalogue: a data file of accelerator models, with sources and assumptions.

The shipped catalogue is ``ceyuan/compute/data/accelerators.yaml``; callers may pass another
file. Values that are assumptions rather than published figures are listed per model in
``Accelerator.assumed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from .errors import InputError
from .model import Accelerator
from .yamlsource import Fields, load_yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_CATALOGUE = DATA_DIR / "accelerators.yaml"
CATALOGUE_SCHEMA = "ceyuan.compute.catalogue/1"

Catalogue = Mapping[str, Accelerator]


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read a catalogue file (the shipped one by default) into a read-only mapping."""
    source = str(path or DEFAULT_CATALOGUE)
    root = Fields(source, load_yaml(source), what="the catalogue file")
    schema = root.text("schema")
    if schema != CATALOGUE_SCHEMA:
        raise root.error("schema", f"expected {CATALOGUE_SCHEMA!r}, got {schema!r}")
    entries = root.raw("accelerators")
    table = Fields(source, entries, what="'accelerators'", line=root.line_of("accelerators"))
    result: dict[str, Accelerator] = {}
    for model in table.data:
        f = Fields(
            source, table.data[model], what=f"accelerator {model!r}", line=table.line_of(model)
        )
        stacks = frozenset(f.names("stacks"))
        result[model] = Accelerator(
            model=model,
            vendor=f.text("vendor"),
            domestic=f.flag("domestic"),
            memory_gb=f.number("memory_gb"),
            bf16_tflops=f.number("bf16_tflops"),
            interconnect=f.text("interconnect", "unknown"),
            stacks=stacks,
            relative_speed=_positive(f, "relative_speed"),
            list_price_per_hour=f.number("list_price_per_hour"),
            power_kw=f.number("power_kw", 0.4),
            source=f.text("source", "unknown"),
            assumed=f.names("assumed", ()),
        )
        f.no_others()
    if not result:
        raise InputError(source, "the catalogue lists no accelerators", field="accelerators")
    root.no_others()
    return MappingProxyType(result)


def _positive(f: Fields, key: str) -> float:
    value = f.number(key)
    if value <= 0:
        raise f.error(key, f"must be greater than 0, got {value!r}")
    return value
