"""Accuracy benchmark of the privacy engine's detectors.

Run:  .venv/bin/python bench/privacy_accuracy.py [--limit N] [--json OUT]

Part 1, structured identifiers: checksum-valid values (generated with faker zh_CN and the
standards' check algorithms) and checksum- or format-invalid look-alikes are inserted into
real sentences (CLUENER's unlabelled test sentences, or faker sentences when the shared data
is absent). A valid value must be found with its exact span and type; an invalid one must
not be reported as that type. Precision, recall and F1 per type, for the engine and for
Presidio (best available configuration, see privacy_baselines.py).

Part 2, person names and addresses on the labelled sets in ../shared/data/pii: exact-span
precision, recall and F1 per set (plus character-level F1 for addresses), for the engine,
the engine with names by the rules alone, the jieba POS baseline and Presidio, in the same
run. The engine's name model was trained on these sets (in-sample figures); the
leave-one-corpus-out and name-swap figures are in privacy_names_model.py.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faker import Faker
from privacy_baselines import jieba_spans, presidio_spans
from privacy_eval_lib import DATASETS, PII_DIR, Score, load

from ceyuan.opendata.privacy.detectors import scan_text
from ceyuan.opendata.privacy.detectors.base import DEFAULT_MIN_CONFIDENCE
from ceyuan.opendata.privacy.detectors.lexical_model import PERSON_TAG, lexical_model
from ceyuan.opendata.privacy.detectors.names import detect_address, find_person
from ceyuan.opendata.privacy.detectors.structured import (
    USCC_ALPHABET,
    luhn_valid,
    resident_id_check_char,
    uscc_check_char,
)
from ceyuan.opendata.privacy.findings import resolve_overlaps

STRUCTURED = [
    "cn_resident_id",
    "cn_mobile",
    "cn_landline",
    "bank_card",
    "email",
    "cn_license_plate",
    "cn_uscc",
    "cn_passport",
    "cn_travel_permit",
    "ip_address",
    "geo_coordinates",
]
LABELS = {
    "cn_resident_id": "身份证号码：",
    "cn_mobile": "联系电话",
    "cn_landline": "办公电话：",
    "bank_card": "银行卡号",
    "email": "邮箱：",
    "cn_license_plate": "车牌号",
    "cn_uscc": "统一社会信用代码",
    "cn_passport": "护照号码",
    "cn_travel_permit": "港澳通行证号码",
    "ip_address": "登录IP ",
    "geo_coordinates": "位置：",
}


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _luhn_complete(body: str) -> str:
    return next(body + d for d in "0123456789" if luhn_valid(body + d))


def generate(kind: str, valid: bool, fake: Faker, rng: random.Random) -> str:
    """A valid value of ``kind``, or a look-alike that violates its check or format."""
    if kind == "cn_resident_id":
        v = fake.ssn()
        if valid:
            return str(v)
        wrong = [c for c in "0123456789X" if c != v[17]]
        if rng.random() < 0.8:
            return v[:17] + rng.choice(wrong)
        first = v[:10] + "1399" + v[14:17]  # month 13, day 99
        return first + resident_id_check_char(first)
    if kind == "cn_mobile":
        v = "1" + rng.choice("3456789") + _digits(rng, 9)
        return v if valid else "1" + rng.choice("012") + _digits(rng, 9)
    if kind == "cn_landline":
        area = rng.choice(["010", "021", "0571", "0755", "028", "0311"])
        v = f"{area}-{rng.choice('2345678')}{_digits(rng, 7)}"
        return v if valid else f"{area}-{rng.choice('01')}{_digits(rng, 4)}"
    if kind == "bank_card":
        card = _luhn_complete("62" + _digits(rng, rng.choice([13, 14, 15, 16])))
        if valid:
            return card
        return card[:-1] + str((int(card[-1]) + rng.randint(1, 9)) % 10)
    if kind == "email":
        v = str(fake.email())
        return v if valid else v.replace("@", rng.choice(["#", "＠", " at "]))
    if kind == "cn_license_plate":
        prov = rng.choice("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
        letter = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
        if valid:
            body = rng.choice(
                [
                    "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(4))
                    + str(rng.randint(0, 9)),
                    rng.choice("DF") + rng.choice("ABCDEFGHJK0123456789") + _digits(rng, 4),
                    _digits(rng, 5) + rng.choice("DF"),
                ]
            )
            return prov + letter + body
        return prov + letter + rng.choice(["IO", "OI", "II"]) + _digits(rng, 4)
    if kind == "cn_uscc":
        region = rng.choice(["110108", "310115", "440305", "330106", "510107", "620102", "650102"])
        first = rng.choice(["91", "92", "12", "52", "Y1"]) + region
        first += "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        check = uscc_check_char(first)
        return first + (check if valid else rng.choice([c for c in USCC_ALPHABET if c != check]))
    if kind == "cn_passport":
        return ("E" + _digits(rng, 8)) if valid else ("E" + _digits(rng, 6))
    if kind == "cn_travel_permit":
        return ("C" + _digits(rng, 8)) if valid else ("C" + _digits(rng, 5))
    if kind == "ip_address":
        if valid:
            return str(fake.ipv4()) if rng.random() < 0.7 else str(fake.ipv6())
        octets = [rng.randint(256, 999)] + [rng.randint(0, 255) for _ in range(3)]
        return ".".join(map(str, octets))
    if kind == "geo_coordinates":
        lat, lon = rng.uniform(18, 53), rng.uniform(73, 135)
        return f"{lat:.6f},{lon:.6f}" if valid else f"{lat:.1f},{lon:.1f}"
    raise ValueError(kind)


def sentences(limit: int, rng: random.Random, fake: Faker) -> list[str]:
    path = PII_DIR / "cluener2020" / "test_unlabelled.jsonl.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            out = [json.loads(line)["text"] for line in fh]
        rng.shuffle(out)
        return out[:limit]
    return [str(fake.sentence(nb_words=20)) for _ in range(limit)]


def structured_benchmark(
    per_type: int, seed: int = 20261128
) -> dict[str, dict[str, dict[str, float]]]:
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    # Sentences that already hold long digit runs or an @ may contain real identifiers that
    # are not in the gold standard; leave them out (a filter that looks at no detector).
    base = [t for t in sentences(3000, rng, fake) if not re.search(r"[0-9０-９]{7,}|@", t)]
    systems: dict[str, Callable[[str], list[tuple[int, int, str]]]] = {
        "ceyuan": lambda t: [(f.start, f.end, f.type) for f in scan_text(t, STRUCTURED)],
        "presidio": presidio_spans,
    }
    scores = {name: {k: Score() for k in [*STRUCTURED, "phone"]} for name in systems}
    for kind in STRUCTURED:
        for i in range(per_type):
            valid = i % 2 == 0
            value = generate(kind, valid, fake, rng)
            sent = rng.choice(base)
            cut = rng.randint(0, len(sent))
            prefix = sent[:cut] + "，" + LABELS[kind]
            text = prefix + value + "。" + sent[cut:]
            gold = {(len(prefix), len(prefix) + len(value))} if valid else set()
            for name, fn in systems.items():
                found = fn(text)
                pred = {(s, e) for s, e, t in found if t == kind}
                scores[name][kind].add(gold, pred)
                if kind in ("cn_mobile", "cn_landline"):
                    phone_types = {"phone", "cn_mobile", "cn_landline"}
                    phone = {(s, e) for s, e, t in found if t in phone_types}
                    scores[name]["phone"].add(gold, phone)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name, per in scores.items():
        out[name] = {
            k: {
                "precision": s.precision,
                "recall": s.recall,
                "f1": s.f1,
                "n_gold": s.tp + s.fn,
                "n_pred": s.tp + s.fp,
            }
            for k, s in per.items()
            if s.tp + s.fn + s.fp
        }
    return out


def _prf(row: dict[str, float] | None) -> str:
    if not row:
        return "– | – | –"
    p = f"{row['precision']:.3f}" if row["n_pred"] else "–"
    return f"{p} | {row['recall']:.3f} | {row['f1']:.3f}"


def _ours(text: str) -> list[tuple[int, int, str]]:
    return [(f.start, f.end, f.type) for f in scan_text(text, ["person", "address"])]


def _rules_only(text: str) -> list[tuple[int, int, str]]:
    """The engine with names by the rules alone: no CRF, no optional lexical model."""
    found = [*find_person(text, None), *detect_address(text)]
    kept = [f for f in found if f.confidence >= DEFAULT_MIN_CONFIDENCE]
    return [(f.start, f.end, f.type) for f in resolve_overlaps(kept)]


def _model_names(text: str) -> list[tuple[int, int, str]]:
    """The lexical model alone: its person-name words (THULAC ``np``)."""
    model = lexical_model()
    assert model is not None
    return [(s, e, "person") for s, e, t in model.tag(text) if t == PERSON_TAG]


def ner_benchmark(
    limit: int | None, only: set[str] | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    # Before/after in one run: the engine (person names by the CRF over the rules' evidence)
    # and the rules alone, as before the CRF; with THULAC installed, its own name tags too.
    systems: dict[str, Callable[[str], list[tuple[int, int, str]]]] = {
        "ceyuan": _ours,
        "ceyuan_rules": _rules_only,
    }
    if lexical_model() is not None:
        systems.update(thulac_np=_model_names)
    systems.update(jieba_pos=jieba_spans, presidio=presidio_spans)
    if only is not None:
        systems = {k: v for k, v in systems.items() if k in only}
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name in DATASETS:
        if not (PII_DIR / DATASETS[name][0]).exists():
            continue
        records = load(name, limit)
        has_address = bool(DATASETS[name][2])
        for sys_name, fn in systems.items():
            person, address = Score(), Score()
            t0 = time.perf_counter()
            for r in records:
                found = fn(r.text)
                person.add(r.person, {(s, e) for s, e, t in found if t == "person"})
                if has_address:
                    address.add(r.address, {(s, e) for s, e, t in found if t == "address"})
            row: dict[str, float] = {
                "sentences": len(records),
                "person_gold": person.tp + person.fn,
                "person_pred": person.tp + person.fp,
                "person_p": person.precision,
                "person_r": person.recall,
                "person_f1": person.f1,
                "seconds": time.perf_counter() - t0,
            }
            if has_address:
                row.update(
                    address_gold=address.tp + address.fn,
                    address_pred=address.tp + address.fp,
                    address_p=address.precision,
                    address_r=address.recall,
                    address_f1=address.f1,
                    address_char_f1=address.char_f1,
                )
            results.setdefault(name, {})[sys_name] = row
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-type", type=int, default=1000, help="values per structured type")
    parser.add_argument("--limit", type=int, default=None, help="sentences per labelled set")
    parser.add_argument("--json", type=Path, help="write all figures here")
    parser.add_argument("--part", choices=["all", "structured", "names"], default="all")
    parser.add_argument(
        "--systems",
        default=None,
        help="comma-separated subset of the name systems (default: all available)",
    )
    args = parser.parse_args()
    structured = structured_benchmark(args.per_type) if args.part != "names" else {}
    only = set(args.systems.split(",")) if args.systems else None
    ner = ner_benchmark(args.limit, only) if args.part != "structured" else {}
    if args.json:
        data = {"structured": structured, "ner": ner}
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    if structured:
        print_structured(structured)
    if ner:
        print_ner(ner)
    return 0


def print_structured(structured: dict[str, dict[str, dict[str, float]]]) -> None:
    print("## Structured identifiers (exact span and type)\n")
    print("| type | ceyuan P | ceyuan R | ceyuan F1 | presidio P | presidio R | presidio F1 |")
    print("|---|---|---|---|---|---|---|")
    for kind in [*STRUCTURED, "phone"]:
        a = structured["ceyuan"].get(kind)
        b = structured["presidio"].get(kind)
        fa = _prf(a)
        fb = _prf(b)
        print(f"| {kind} | {fa} | {fb} |")


def print_ner(ner: dict[str, dict[str, dict[str, float]]]) -> None:
    print("\n## Person names and addresses (exact span)\n")
    print(
        "| set | system | sentences | person P | person R | person F1 "
        "| address P | address R | address F1 | address char-F1 | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, per in ner.items():
        for sys_name, row in per.items():
            addr = "– | – | – | –"
            if "address_p" in row:
                ap = f"{row['address_p']:.3f}" if row["address_pred"] else "–"
                rest = [f"{row[k]:.3f}" for k in ("address_r", "address_f1", "address_char_f1")]
                addr = " | ".join([ap, *rest])
            pp = f"{row['person_p']:.3f}" if row["person_pred"] else "–"
            print(
                f"| {name} | {sys_name} | {row['sentences']:.0f} | {pp} | "
                f"{row['person_r']:.3f} | {row['person_f1']:.3f} | {addr} | {row['seconds']:.1f} |"
            )


if __name__ == "__main__":
    sys.exit(main())
