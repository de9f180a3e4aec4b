"""Throughput of the privacy engine's scanners, against Presidio, in one run.

Run:  .venv/bin/python bench/privacy_speed.py [--text-mb 2] [--rows 1000000]

Figures are MB/s of UTF-8 input per core (one process, one thread). Text: Chinese sentences
(CLUENER unlabelled test set, repeated; faker sentences when the shared data is absent) with
generated identifiers mixed in. Table: a generated table (default 1,000,000 rows) of name,
mobile, resident ID, age, district address and a free-text remark, built by seeded sampling
from pools of faker zh_CN values. Presidio (blank Chinese spaCy pipeline plus pattern
recognizers, see privacy_baselines.py) is timed on a slice of the same input because it is
much slower; its MB/s is computed on the bytes it actually processed.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import pandas as pd
from faker import Faker
from privacy_baselines import presidio_spans
from privacy_eval_lib import PII_DIR

from ceyuan.opendata.privacy.detectors import DETECTORS, scan_text
from ceyuan.opendata.privacy.detectors.base import DEFAULT_MIN_CONFIDENCE
from ceyuan.opendata.privacy.detectors.lexical_model import lexical_model
from ceyuan.opendata.privacy.detectors.names import find_person
from ceyuan.opendata.privacy.findings import resolve_overlaps
from ceyuan.opendata.privacy.tables import scan_table

STRUCTURED = [n for n in DETECTORS.names() if DETECTORS.get(n).structured]


def chinese_text(target_bytes: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    path = PII_DIR / "cluener2020" / "test_unlabelled.jsonl.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            base = [json.loads(line)["text"] for line in fh]
    else:
        base = [str(fake.sentence(nb_words=25)) for _ in range(2000)]
    extras = [fake.phone_number(), fake.ssn(), fake.email(), fake.license_plate(), fake.ipv4()]
    lines: list[str] = []
    size = 0
    while size < target_bytes:
        line = rng.choice(base)
        if rng.random() < 0.3:
            line += f"联系方式{rng.choice(extras)}。"
        lines.append(line)
        size += len(line.encode())
    return lines


def scan_rules_only(text: str) -> None:
    """All detectors, names by the rules alone (no CRF, no optional lexical model)."""
    others = scan_text(text, [n for n in DETECTORS.names() if n != "person"])
    names = [f for f in find_person(text, None) if f.confidence >= DEFAULT_MIN_CONFIDENCE]
    resolve_overlaps([*others, *names])


def mb(lines: list[str]) -> float:
    return sum(len(s.encode()) for s in lines) / 1e6


def time_lines(fn: object, lines: list[str]) -> float:
    t0 = time.perf_counter()
    for line in lines:
        fn(line)  # type: ignore[operator]
    return time.perf_counter() - t0


def generated_table(rows: int, seed: int) -> pd.DataFrame:
    """A synthetic register: names, mobiles and resident IDs mostly unique, as in real data.

    Values are drawn vectorised from faker zh_CN's word lists (surnames, given names,
    provinces, cities, districts) with a seeded numpy generator; IDs get a valid
    GB 11643 check digit.
    """
    from faker.providers.address.zh_CN import Provider as Address
    from faker.providers.person.zh_CN import Provider as Person

    rng = np.random.default_rng(seed)
    surnames = np.array(list(Person.last_names), dtype=object)
    given = np.array(list(Person.first_names), dtype=object)
    names = (
        surnames[rng.integers(0, len(surnames), rows)] + given[rng.integers(0, len(given), rows)]
    )
    phones = np.char.add(
        np.char.add("1", rng.integers(3, 10, rows).astype(str)),
        np.char.zfill(rng.integers(0, 10**9, rows).astype(str), 9),
    ).astype(object)
    regions = np.array(["110101", "310104", "440305", "330106", "510107", "420102"])
    births = (
        np.datetime64("1940-01-01") + rng.integers(0, 80 * 365, rows).astype("timedelta64[D]")
    ).astype(str)
    first17 = np.char.add(
        np.char.add(regions[rng.integers(0, len(regions), rows)], np.char.replace(births, "-", "")),
        np.char.zfill(rng.integers(0, 1000, rows).astype(str), 3),
    )
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    mat = np.frombuffer("".join(first17.tolist()).encode(), dtype=np.uint8).reshape(rows, 17) - 48
    check = np.array(list("10X98765432"))[(mat * weights).sum(axis=1) % 11]
    ids = np.char.add(first17, check).astype(object)
    provinces = np.array(list(Address.provinces), dtype=object)
    cities = np.array(list(Address.cities), dtype=object)
    districts = np.array(list(Address.districts), dtype=object)
    address = (
        provinces[rng.integers(0, len(provinces), rows)]
        + cities[rng.integers(0, len(cities), rows)]
        + "市"
        + districts[rng.integers(0, len(districts), rows)]
        + "区"
    )
    remark_kind = rng.integers(0, 4, rows)
    remarks = np.where(
        remark_kind == 0,
        "家属电话" + phones[rng.permutation(rows)],
        np.array(["无", "已复查", "按时服药", "门诊随访"], dtype=object)[remark_kind],
    )
    return pd.DataFrame(
        {
            "姓名": names,
            "手机": phones,
            "身份证号": ids,
            "年龄": rng.integers(0, 100, rows),
            "住址": address,
            "备注": remarks,
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="privacy scanning throughput")
    parser.add_argument("--text-mb", type=float, default=2.0)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--presidio-share", type=float, default=0.1, help="slice of the input Presidio scans"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    lines = chinese_text(int(args.text_mb * 1e6), args.seed)
    model = lexical_model()  # loaded before timing (THULAC: about 6 s, once per process)
    print(f"lexical model: {type(model).__name__ if model else 'not installed'}")
    scan_text(lines[0])
    presidio_spans(lines[0])
    size = mb(lines)
    part = lines[: max(1, int(len(lines) * args.presidio_share))]
    results = {
        "text_structured": size / time_lines(lambda t: scan_text(t, STRUCTURED), lines),
        "text_all": size / time_lines(scan_text, lines),
        "text_presidio": mb(part) / time_lines(presidio_spans, part),
    }
    print(f"Chinese text, {size:.2f} MB, {len(lines)} lines")
    print(f"  ceyuan structured detectors : {results['text_structured']:.3f} MB/s")
    print(f"  ceyuan all detectors        : {results['text_all']:.3f} MB/s")
    print(f"  presidio (on {mb(part):.2f} MB)    : {results['text_presidio']:.3f} MB/s")
    results["text_all_rules_only"] = size / time_lines(scan_rules_only, lines)
    print(f"  ceyuan all, names by rules  : {results['text_all_rules_only']:.3f} MB/s")

    t0 = time.perf_counter()
    table = generated_table(args.rows, args.seed)
    gen_s = time.perf_counter() - t0
    table_mb = len(table.to_csv(index=False).encode()) / 1e6
    t0 = time.perf_counter()
    scan = scan_table(table, types=STRUCTURED)
    structured_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    scan_all = scan_table(table)
    all_s = time.perf_counter() - t0
    sample = table.head(max(1, int(args.rows * args.presidio_share / 10)))
    sample_mb = len(sample.to_csv(index=False).encode()) / 1e6
    t0 = time.perf_counter()
    for row in sample.astype(str).itertuples(index=False):
        for cell in row:
            presidio_spans(cell)
    presidio_s = time.perf_counter() - t0
    results.update(
        table_structured=table_mb / structured_s,
        table_all=table_mb / all_s,
        table_presidio=sample_mb / presidio_s,
    )
    print(f"Table, {args.rows} rows, {table_mb:.1f} MB as CSV (generated in {gen_s:.1f} s)")
    print(
        f"  ceyuan scan_table structured: {results['table_structured']:.3f} MB/s "
        f"({structured_s:.1f} s)"
    )
    print(f"  ceyuan scan_table all       : {results['table_all']:.3f} MB/s ({all_s:.1f} s)")
    print(f"  presidio per cell ({len(sample)} rows): {results['table_presidio']:.3f} MB/s")
    roles = {c.name: c.role for c in scan_all.columns}
    print(
        f"  roles: {roles}; findings structured={len(scan.findings)} all={len(scan_all.findings)}"
    )
    print(json.dumps({k: round(v, 4) for k, v in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
