"""Honest evaluation of the person-name CRF: leave-one-corpus-out, in-sample, name swap.

Run:  .venv/bin/python bench/privacy_names_model.py [--models-dir DIR] [--json OUT]

(a) Leave one corpus out: for each labelled corpus, a model is trained on all the others
    with the shipped hyperparameters and scored on that corpus's shared splits. This is the
    estimate of performance on text the model has not seen (the blind test splits).
(b) In-sample: the shipped model (trained on every shared set) on the same splits, next to
    the rules alone. These figures are optimistic by construction.
(c) Name swap: in MSRA and People's Daily sentences that hold a name, every gold name of 2-3
    characters is replaced by a random faker zh_CN name (same sentence, same context). A
    model that memorised the names of its training text drops; one that reads the context
    does not. Scored for the rules, the left-out model and the shipped model.

Scores are exact-span precision, recall and F1 of findings with confidence >= 0.5, overlaps
resolved as in ``scan_text``. Models trained here go to ``--models-dir`` and are reused when
present (``--retrain`` to rebuild).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from faker import Faker
from privacy_eval_lib import DATASETS, PII_DIR, Record, Score, load

from ceyuan.opendata.privacy.detectors.base import DEFAULT_MIN_CONFIDENCE
from ceyuan.opendata.privacy.detectors.name_model import PersonModel, find_names, person_model
from ceyuan.opendata.privacy.detectors.name_training import (
    CORPORA,
    TrainParams,
    featurize,
    read_examples,
    train_person_model,
)
from ceyuan.opendata.privacy.findings import resolve_overlaps

# corpus -> the benchmark sets (privacy_eval_lib.DATASETS) cut from it
EVAL_SETS = {
    "msra": ("msra/val",),
    "people_daily": ("people_daily/dev",),
    "cluener": ("cluener2020/train",),
    "weibo": ("weibo/dev", "weibo/train"),
    "resume": ("resume/dev",),
}
SWAP_SETS = ("msra/val", "people_daily/dev")

Spans = set[tuple[int, int]]


def predictor(model: PersonModel | None) -> Callable[[str], Spans]:
    def predict(text: str) -> Spans:
        found = [f for f in find_names(text, model) if f.confidence >= DEFAULT_MIN_CONFIDENCE]
        return {(f.start, f.end) for f in resolve_overlaps(found)}

    return predict


def score(records: Iterable[Record], predict: Callable[[str], Spans]) -> dict[str, float]:
    s = Score()
    t0 = time.perf_counter()
    for r in records:
        s.add(r.person, predict(r.text))
    return {
        "p": s.precision,
        "r": s.recall,
        "f1": s.f1,
        "gold": s.tp + s.fn,
        "seconds": time.perf_counter() - t0,
    }


def swap_names(records: list[Record], seed: int) -> list[Record]:
    """Sentences with a name; every 2-3 character gold name replaced by a faker name."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    out: list[Record] = []
    for r in records:
        if not r.person:
            continue
        text, spans, shift, pos = "", set(), 0, 0
        for s, e in sorted(r.person):
            if s < pos:
                continue  # overlapping gold spans: keep the first
            name = r.text[s:e]
            new = str(fake.name()) if 2 <= e - s <= 3 else name
            text += r.text[pos:s] + new
            spans.add((s + shift, s + shift + len(new)))
            shift += len(new) - len(name)
            pos = e
        out.append(Record(text + r.text[pos:], spans, set()))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models-dir", type=Path, default=Path("/tmp/ceyuan-names-models"))
    parser.add_argument("--retrain", action="store_true", help="rebuild left-out models")
    parser.add_argument("--limit", type=int, default=None, help="sentences per evaluated set")
    parser.add_argument("--only", help="comma-separated corpora to leave out (default: all)")
    parser.add_argument("--seed", type=int, default=20261128, help="name-swap seed")
    parser.add_argument("--json", type=Path, help="write all figures here")
    args = parser.parse_args()
    params = TrainParams()
    corpora = [c.name for c in CORPORA]
    if args.only:
        corpora = [c for c in corpora if c in args.only.split(",")]
    args.models_dir.mkdir(parents=True, exist_ok=True)
    shipped = person_model()
    if shipped is None:
        print("no shipped model: run `ceyuan privacy train-names` first", file=sys.stderr)
        return 1
    features: list[tuple[str, tuple[list[tuple[str, ...]], list[str]]]] | None = None
    results: dict[str, dict[str, object]] = {"params": params.as_crfsuite()}
    rows: list[tuple[str, str, dict[str, float], dict[str, float], dict[str, float]]] = []
    left_out_models: dict[str, PersonModel] = {}
    for corpus in corpora:
        path = args.models_dir / f"without-{corpus}.crfsuite"
        if args.retrain or not path.exists():
            if features is None:
                t0 = time.perf_counter()
                examples = read_examples(PII_DIR)
                features = [(ex.corpus, featurize(ex)) for ex in examples]
                print(f"featurized {len(examples)} sentences in {time.perf_counter() - t0:.0f} s")
            weight = {c.name: c.weight for c in CORPORA}
            size, seconds = train_person_model(
                (item for name, item in features if name != corpus for _ in range(weight[name])),
                path,
                params,
            )
            print(f"trained without {corpus}: {size / 1e6:.2f} MB in {seconds:.0f} s", flush=True)
        model = left_out_models[corpus] = PersonModel(path.read_bytes())
        for name in EVAL_SETS[corpus]:
            if not (PII_DIR / DATASETS[name][0]).exists():
                continue
            records = load(name, args.limit)
            rules = score(records, predictor(None))
            loco = score(records, predictor(model))
            insample = score(records, predictor(shipped))
            rows.append((name, corpus, rules, loco, insample))
            results.setdefault("sets", {})[name] = {  # type: ignore[index]
                "rules": rules,
                "left_out": loco,
                "in_sample": insample,
            }
            print(
                f"{name}: rules {rules['f1']:.3f}, left-out {loco['f1']:.3f}, "
                f"in-sample {insample['f1']:.3f}",
                flush=True,
            )
    swaps: list[tuple[str, dict[str, dict[str, float]]]] = []
    corpus_of = {name: c for c, names in EVAL_SETS.items() for name in names}
    for name in SWAP_SETS:
        corpus = corpus_of[name]
        if corpus not in left_out_models:
            continue
        original = [r for r in load(name, args.limit) if r.person]
        swapped = swap_names(original, args.seed)
        figures = {}
        for label, model in (
            ("rules", None),
            ("left_out", left_out_models[corpus]),
            ("in_sample", shipped),
        ):
            figures[label] = score(original, predictor(model))["f1"]
            figures[label + "_swapped"] = score(swapped, predictor(model))["f1"]
        figures["sentences"] = len(original)
        swaps.append((name, figures))
        results.setdefault("swap", {})[name] = figures  # type: ignore[index]
    print_tables(rows, swaps)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def _prf(row: dict[str, float]) -> str:
    return f"{row['p']:.3f} / {row['r']:.3f} / **{row['f1']:.3f}**"


def print_tables(
    rows: list[tuple[str, str, dict[str, float], dict[str, float], dict[str, float]]],
    swaps: list[tuple[str, dict[str, float]]],
) -> None:
    print(
        "\n| set | gold names | rules P / R / F1 | left-out CRF P / R / F1 (blind estimate) "
        "| shipped CRF P / R / F1 (in-sample) |"
    )
    print("|---|---|---|---|---|")
    for name, _corpus, rules, loco, insample in rows:
        print(f"| {name} | {rules['gold']:.0f} | {_prf(rules)} | {_prf(loco)} | {_prf(insample)} |")
    if swaps:
        print("\n| set | sentences | rules F1 original → swapped | left-out CRF | shipped CRF |")
        print("|---|---|---|---|---|")
        for name, f in swaps:
            cells = [
                f"{f[k]:.3f} → {f[k + '_swapped']:.3f}" for k in ("rules", "left_out", "in_sample")
            ]
            print(f"| {name} | {f['sentences']:.0f} | {' | '.join(cells)} |")


if __name__ == "__main__":
    sys.exit(main())
