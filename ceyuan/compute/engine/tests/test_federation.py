from __future__ import annotations

from pathlib import Path

import pytest

from ceyuan.compute.engine.catalogue import load_catalogue
from ceyuan.compute.engine.errors import InputError
from ceyuan.compute.engine.federation import (
    BUILTIN_FEDERATIONS,
    load_federation,
    resolve_federation_path,
)
from ceyuan.compute.engine.model import CentreKind

GOOD = """\
schema: ceyuan.compute.federation/1
name: tiny
centres:
  - id: a
    kind: public
    region: Beijing
    latency_ms: 1
    bandwidth_gbps: 100
    pools:
      - id: a-910b
        accelerator: Ascend-910B
        nodes: 2
        accelerators_per_node: 8
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fed.yaml"
    path.write_text(text, "utf-8")
    return path


def test_shipped_catalogue_marks_assumptions_and_domestic_chips() -> None:
    catalogue = load_catalogue()
    assert catalogue["Ascend-910B"].domestic
    assert not catalogue["H800"].domestic
    assert "cann" in catalogue["Ascend-910B"].stacks
    assert "list_price_per_hour" in catalogue["A100"].assumed
    vendors = {a.vendor for a in catalogue.values() if a.domestic}
    assert {"Huawei", "Cambricon", "Hygon", "Kunlunxin", "Iluvatar CoreX"} <= vendors


def test_beijing_example_has_every_kind_of_centre_and_over_10k_accelerators() -> None:
    fed = load_federation(BUILTIN_FEDERATIONS["beijing"])
    assert {c.kind for c in fed.centres} == set(CentreKind)
    assert fed.capacity >= 10_000
    regions = " ".join(c.region for c in fed.centres)
    for place in ("Haidian", "Chaoyang", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia"):
        assert place in regions
    assert any(p.domestic for p in fed.pools) and any(not p.domestic for p in fed.pools)


def test_pool_price_defaults_to_list_price_times_centre_factor(tmp_path: Path) -> None:
    fed = load_federation(
        write(tmp_path, GOOD.replace("    pools:", "    price_factor: 0.5\n    pools:"))
    )
    pool = fed.pools[0]
    assert pool.price_per_hour == pytest.approx(pool.accelerator.list_price_per_hour * 0.5)
    assert fed.centres[0].spill_tier == 0


@pytest.mark.parametrize(
    ("change", "line", "field"),
    [
        (("accelerator: Ascend-910B", "accelerator: Ascend-999"), 11, "accelerator"),
        (("nodes: 2", "nodes: two"), 12, "nodes"),
        (("kind: public", "kind: moon"), 5, "kind"),
        (("bandwidth_gbps: 100", "bandwidth_gbps: 0"), 8, "bandwidth_gbps"),
        (("    region: Beijing\n", ""), 4, "region"),
    ],
)
def test_malformed_federation_names_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, field: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(InputError) as caught:
        load_federation(path)
    assert caught.value.source == str(path)
    assert caught.value.line == line
    assert caught.value.field == field
    assert str(path) in str(caught.value) and f"line {line}" in str(caught.value)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("  - id: a\n", "  - id: [a\n"))
    with pytest.raises(InputError) as caught:
        load_federation(path)
    assert caught.value.line is not None and "invalid YAML" in str(caught.value)


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("id: a-910b", "id: a"))
    with pytest.raises(InputError, match="duplicate id"):
        load_federation(path)


def test_unknown_builtin_is_reported() -> None:
    with pytest.raises(InputError, match="unknown built-in"):
        resolve_federation_path("builtin:mars")


def test_a_misspelt_or_unknown_field_is_named_with_the_closest_known_one(tmp_path: Path) -> None:
    path = tmp_path / "fed.yaml"
    typo = "        nodes: 2\n        price_per_hr: 9\n"
    path.write_text(GOOD.replace("        nodes: 2\n", typo))
    with pytest.raises(InputError) as info:
        load_federation(path)
    assert info.value.field == "price_per_hr" and "did you mean 'price_per_hour'" in str(info.value)
    assert info.value.line == 13  # the line that holds it
    path.write_text(GOOD.replace("  - id: a\n", "  - id: a\n    stacks: []\n", 1))
    with pytest.raises(InputError, match="unknown field"):
        load_federation(path)  # stacks belong to pools
    path.write_text(GOOD + "        stacks: []\n")
    with pytest.raises(InputError, match="at least one software stack"):
        load_federation(path)
