"""Federation files: centres and their accelerator pools, described in YAML.

Spill tiers order centres for the spill-over policy: by default the city's own public centres
(tier 0), then commercial and cross-region partner centres (tier 1), then partner public clouds
(tier 2); a centre may set ``spill_tier`` itself.
"""

from __future__ import annotations

from pathlib import Path

from .catalogue import DATA_DIR, Catalogue, load_catalogue
from .errors import InputError
from .model import Centre, CentreKind, Federation, Pool
from .yamlsource import Fields, load_yaml

FEDERATION_SCHEMA = "ceyuan.compute.federation/1"
BUILTIN_FEDERATIONS = {
    "beijing": DATA_DIR / "federations" / "beijing.yaml",
    "gavel": DATA_DIR / "federations" / "gavel_108.yaml",
}
DEFAULT_SPILL_TIER = {
    CentreKind.PUBLIC: 0,
    CentreKind.COMMERCIAL: 1,
    CentreKind.CROSS_REGION: 1,
    CentreKind.PARTNER_CLOUD: 2,
}


def resolve_federation_path(spec: str) -> Path:
    """``builtin:NAME`` names a shipped federation; anything else is a path."""
    if spec.startswith("builtin:"):
        name = spec.removeprefix("builtin:")
        if name not in BUILTIN_FEDERATIONS:
            known = ", ".join(sorted(BUILTIN_FEDERATIONS))
            raise InputError(spec, f"unknown built-in federation; known: {known}")
        return BUILTIN_FEDERATIONS[name]
    return Path(spec)


def load_federation(path: str | Path, catalogue: Catalogue | None = None) -> Federation:
    """Read and validate a federation file; errors name the file, line and field."""
    source = str(path)
    cat = catalogue if catalogue is not None else load_catalogue()
    root = Fields(source, load_yaml(path), what="the federation file")
    schema = root.text("schema")
    if schema != FEDERATION_SCHEMA:
        raise root.error("schema", f"expected {FEDERATION_SCHEMA!r}, got {schema!r}")
    centres: list[Centre] = []
    seen_ids: set[str] = set()
    for item in root.items("centres"):
        f = Fields(source, item, what="a centre", line=root.line_of("centres"))
        centre_id = _unique_id(f, seen_ids)
        kind_text = f.text("kind")
        try:
            kind = CentreKind(kind_text)
        except ValueError:
            allowed = ", ".join(k.value for k in CentreKind)
            raise f.error(
                "kind", f"unknown centre kind {kind_text!r}; use one of {allowed}"
            ) from None
        price_factor = f.number("price_factor", 1.0)
        pools: list[Pool] = []
        for pool_item in f.items("pools"):
            p = Fields(source, pool_item, what="a pool", line=f.line_of("pools"))
            pool_id = _unique_id(p, seen_ids)
            model = p.text("accelerator")
            if model not in cat:
                raise p.error("accelerator", f"accelerator {model!r} is not in the catalogue")
            acc = cat[model]
            stacks = frozenset(p.names("stacks", tuple(sorted(acc.stacks))))
            if not stacks:
                raise p.error("stacks", "a pool needs at least one software stack")
            pools.append(
                Pool(
                    id=pool_id,
                    centre_id=centre_id,
                    accelerator=acc,
                    nodes=p.whole("nodes", minimum=1),
                    accelerators_per_node=p.whole("accelerators_per_node", minimum=1),
                    stacks=stacks,
                    price_per_hour=p.number(
                        "price_per_hour", acc.list_price_per_hour * price_factor
                    ),
                    domestic=acc.domestic,
                )
            )
            p.no_others()
        centres.append(
            Centre(
                id=centre_id,
                name=f.text("name", centre_id),
                kind=kind,
                region=f.text("region"),
                latency_ms=f.number("latency_ms"),
                bandwidth_gbps=_positive(f, "bandwidth_gbps"),
                pue=f.number("pue", 1.3, minimum=1.0),
                carbon_kg_per_kwh=f.number("carbon_kg_per_kwh", 0.5),
                spill_tier=f.whole("spill_tier", DEFAULT_SPILL_TIER[kind]),
                pools=tuple(pools),
            )
        )
        f.no_others()
    if not centres:
        raise root.error("centres", "the federation has no centres")
    name = root.text("name")
    root.no_others()
    return Federation(name=name, centres=tuple(centres))


def _unique_id(f: Fields, seen: set[str]) -> str:
    ident = f.text("id")
    if ident in seen:
        raise f.error("id", f"duplicate id {ident!r}")
    seen.add(ident)
    return ident


def _positive(f: Fields, key: str) -> float:
    value = f.number(key)
    if value <= 0:
        raise f.error(key, f"must be greater than 0, got {value!r}")
    return value
