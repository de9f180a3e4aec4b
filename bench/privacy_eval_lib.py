"""Shared helpers for the privacy benchmarks: datasets, span scoring (bench only)."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PII_DIR = Path(os.environ.get("CEYUAN_PII_DATA", "/work/shared/data/pii"))

# dataset -> (file, person labels, address labels)
DATASETS: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    "cluener2020/train": (
        "cluener2020/train.spans.jsonl.gz",
        frozenset({"name"}),
        frozenset({"address"}),
    ),
    "msra/val": ("msra_ner/val.spans.jsonl.gz", frozenset({"PER"}), frozenset()),
    "people_daily/dev": ("people_daily_ner/dev.spans.jsonl.gz", frozenset({"PER"}), frozenset()),
    "weibo/dev": ("weibo_ner/dev.spans.jsonl", frozenset({"PER.NAM"}), frozenset()),
    "weibo/train": ("weibo_ner/train.spans.jsonl", frozenset({"PER.NAM"}), frozenset()),
    "resume/dev": ("resume_ner/dev.spans.jsonl", frozenset({"NAME"}), frozenset()),
    "address_parsing/dev": (
        "chinese_address_parsing/dev.spans.jsonl.gz",
        frozenset({"person"}),
        frozenset({"*address*"}),
    ),
}
_NON_ADDRESS = frozenset({"person", "redundant", "assist", "otherinfo"})


@dataclass
class Record:
    text: str
    person: set[tuple[int, int]]
    address: set[tuple[int, int]]


def load(name: str, limit: int | None = None) -> list[Record]:
    rel, per, addr = DATASETS[name]
    path = PII_DIR / rel
    opener = gzip.open if rel.endswith(".gz") else open
    out: list[Record] = []
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        for line in fh:
            rec = json.loads(line)
            ents = rec["entities"]
            p = {(e["start"], e["end"]) for e in ents if e["label"] in per}
            if "*address*" in addr:
                spans = sorted(
                    (e["start"], e["end"]) for e in ents if e["label"] not in _NON_ADDRESS
                )
                a = set(_merge(spans, rec["text"]))
            else:
                a = {(e["start"], e["end"]) for e in ents if e["label"] in addr}
            out.append(Record(rec["text"], p, a))
            if limit and len(out) >= limit:
                break
    return out


def _merge(spans: list[tuple[int, int]], text: str) -> Iterator[tuple[int, int]]:
    cur: list[int] | None = None
    for s, e in spans:
        touching = cur is not None and s - cur[1] <= 1 and not text[cur[1] : s].strip(" _，,")
        if cur and (touching or s <= cur[1]):
            cur[1] = max(cur[1], e)
        else:
            if cur:
                yield (cur[0], cur[1])
            cur = [s, e]
    if cur:
        yield (cur[0], cur[1])


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    char_tp: int = 0
    char_pred: int = 0
    char_gold: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    def add(self, gold: set[tuple[int, int]], pred: set[tuple[int, int]]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)
        g = {i for s, e in gold for i in range(s, e)}
        p = {i for s, e in pred for i in range(s, e)}
        self.char_tp += len(g & p)
        self.char_pred += len(p)
        self.char_gold += len(g)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def char_f1(self) -> float:
        p = self.char_tp / self.char_pred if self.char_pred else 1.0
        r = self.char_tp / self.char_gold if self.char_gold else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0


Predictor = Callable[[str], tuple[set[tuple[int, int]], set[tuple[int, int]]]]


def evaluate(records: Iterable[Record], predict: Predictor) -> tuple[Score, Score]:
    person, address = Score(), Score()
    for r in records:
        p, a = predict(r.text)
        person.add(r.person, p)
        address.add(r.address, a)
    return person, address
