"""Shared fixtures: a small in-code federation, and the shared trace folder when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ceyuan.compute.engine.catalogue import load_catalogue
from ceyuan.compute.engine.model import Centre, CentreKind, Federation, Pool

REPO_ROOT = Path(__file__).resolve().parents[4]


IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def shared_traces() -> Path:
    base = Path(os.environ.get("CEYUAN_SHARED_DIR", REPO_ROOT.parent / "shared"))
    return base / "data" / "traces"


@pytest.fixture
def traces_dir() -> Path:
    """The shared trace folder; skipped on a developer machine without it, required in CI."""
    path = shared_traces()
    if not path.is_dir():
        if IN_CI:
            pytest.fail(f"shared trace folder {path} is required under CI")
        pytest.skip(f"shared trace folder {path} is absent")
    return path


def make_federation(
    spec: dict[str, list[tuple[str, int]]] | None = None,
    *,
    kinds: dict[str, CentreKind] | None = None,
) -> Federation:
    """Centres -> [(accelerator model, accelerators)], one node per pool of that many."""
    catalogue = load_catalogue()
    spec = spec or {
        "own": [("Ascend-910B", 8), ("A100", 8)],
        "cloud": [("H800", 8), ("Hygon-DCU-K100", 4)],
    }
    kinds = kinds or {}
    centres = []
    for tier, (centre_id, pools) in enumerate(spec.items()):
        built = tuple(
            Pool(
                id=f"{centre_id}-{n}-{model}",
                centre_id=centre_id,
                accelerator=catalogue[model],
                nodes=1,
                accelerators_per_node=size,
                stacks=catalogue[model].stacks,
                price_per_hour=catalogue[model].list_price_per_hour * (1 + tier),
                domestic=catalogue[model].domestic,
            )
            for n, (model, size) in enumerate(pools)
        )
        kind = kinds.get(centre_id, CentreKind.PUBLIC if tier == 0 else CentreKind.PARTNER_CLOUD)
        centres.append(
            Centre(centre_id, centre_id, kind, "test", 1.0 + tier, 10.0, 1.2, 0.5, tier, built)
        )
    return Federation("test", tuple(centres))


@pytest.fixture
def federation() -> Federation:
    return make_federation()
