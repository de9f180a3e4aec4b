"""Training the person-name CRF from labelled span files (``ceyuan privacy train-names``).

Input: a directory laid out like the shared PII sets (``msra_ner/val.spans.jsonl.gz`` ...),
each file one JSON object per line ``{"text", "entities": [{"start", "end", "label"}]}``
with character offsets, ``end`` exclusive. ``CORPORA`` says which files and which labels
mark a person in each set; files that are absent are skipped.

Training: L-BFGS on the CRF's log-likelihood with an elastic-net penalty (``c1`` L1 keeps
the model small by zeroing most feature weights, ``c2`` L2), from the examples in the
order they are read; a corpus with ``weight`` w contributes each sentence w times. The
optimiser has no randomness, so the same data and parameters give the same model file.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ceyuan.opendata.privacy.detectors.name_features import char_features, spans_to_labels
from ceyuan.opendata.privacy.detectors.names import Span, rule_evidence


@dataclass(frozen=True, slots=True)
class Corpus:
    """One labelled set: its files under the data directory and its person labels."""

    name: str
    files: tuple[str, ...]
    person_labels: frozenset[str]
    weight: int = 1  # times each sentence is shown to the trainer


# The address-parsing set is not used: its ``person`` label marks shop and business names
# (艾美发型设计, 亿嘉国际影城) about as often as people, and teaches the model long spans.
# News, the text the detector is for, counts twice: the social-media, résumé and CLUENER sets
# label names by other conventions (and miss more of them), and at equal weight they pulled
# recall on news down (leave-MSRA-out F1 0.837 -> 0.853 with People's Daily counted twice).
CORPORA: tuple[Corpus, ...] = (
    Corpus("msra", ("msra_ner/val.spans.jsonl.gz",), frozenset({"PER"}), weight=2),
    Corpus("people_daily", ("people_daily_ner/dev.spans.jsonl.gz",), frozenset({"PER"}), weight=2),
    Corpus("cluener", ("cluener2020/train.spans.jsonl.gz",), frozenset({"name"})),
    Corpus(
        "weibo",
        ("weibo_ner/train.spans.jsonl", "weibo_ner/dev.spans.jsonl"),
        frozenset({"PER.NAM"}),  # named mentions; nominal ones (妈妈) are not identifiers
    ),
    Corpus(
        "resume",
        ("resume_ner/train.spans.jsonl.gz", "resume_ner/dev.spans.jsonl"),
        frozenset({"NAME"}),
    ),
)
CORPUS_NAMES = tuple(c.name for c in CORPORA)


class TrainingDataError(ValueError):
    """A labelled file is missing, malformed or inconsistent (message names file and line)."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    names: tuple[Span, ...]
    corpus: str


@dataclass(frozen=True, slots=True)
class TrainParams:
    """Hyperparameters of the shipped model (documented in docs/privacy-engine.md)."""

    c1: float = 0.2
    c2: float = 0.01
    max_iterations: int = 100
    feature_minfreq: int = 2

    def as_crfsuite(self) -> dict[str, object]:
        return {
            "c1": self.c1,
            "c2": self.c2,
            "max_iterations": self.max_iterations,
            "feature.minfreq": self.feature_minfreq,
            "feature.possible_transitions": True,
        }


@dataclass(frozen=True, slots=True)
class TrainReport:
    examples: int
    characters: int
    names: int
    corpora: tuple[str, ...]
    seconds: float
    model_bytes: int
    params: TrainParams = field(default_factory=TrainParams)


def corpora_named(names: Iterable[str]) -> list[Corpus]:
    wanted = list(names)
    unknown = [n for n in wanted if n not in CORPUS_NAMES]
    if unknown:
        raise TrainingDataError(
            f"unknown corpus {', '.join(unknown)}; known: {', '.join(CORPUS_NAMES)}"
        )
    return [c for c in CORPORA if c.name in wanted]


def read_examples(data_dir: Path, corpora: Sequence[Corpus] = CORPORA) -> list[Example]:
    """Every labelled sentence of ``corpora`` found under ``data_dir``, in a fixed order."""
    out: list[Example] = []
    for corpus in corpora:
        for rel in corpus.files:
            path = data_dir / rel
            if path.is_file():
                out.extend(_read_file(path, corpus))
    return out


def _read_file(path: Path, corpus: Corpus) -> list[Example]:
    opener = gzip.open if path.name.endswith(".gz") else open
    out: list[Example] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                text = rec["text"]
                spans = tuple(
                    sorted(
                        (int(e["start"]), int(e["end"]))
                        for e in rec["entities"]
                        if e["label"] in corpus.person_labels
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise TrainingDataError(
                    f"{path}: line {line_no}: not a span record ({exc})"
                ) from exc
            for s, e in spans:
                if not 0 <= s < e <= len(text):
                    raise TrainingDataError(
                        f"{path}: line {line_no}: span [{s}, {e}) outside the text"
                    )
            out.append(Example(text, spans, corpus.name))
    return out


Sequence_ = tuple[list[tuple[str, ...]], list[str]]


def featurize(example: Example) -> Sequence_:
    """The CRF's input for one example: features per character and BIO labels."""
    evidence = rule_evidence(example.text, None)
    return char_features(example.text, evidence), spans_to_labels(len(example.text), example.names)


def train_person_model(
    items: Iterable[Sequence_],
    out: Path,
    params: TrainParams = TrainParams(),
    *,
    on_iteration: Callable[[int], None] | None = None,
) -> tuple[int, float]:
    """Train on featurized sequences and write the model to ``out`` (atomically).

    Returns the size of the model file in bytes and the training time in seconds.
    """
    import pycrfsuite

    class _Trainer(pycrfsuite.Trainer):  # type: ignore[misc]
        # crfsuite reports through log lines; only finished iterations are passed on.
        def message(self, message: str) -> None:
            if self.logparser.feed(message) == "iteration" and on_iteration is not None:
                on_iteration(int(self.logparser.last_iteration["num"]))

    trainer = _Trainer(verbose=False)
    trainer.select("lbfgs", "crf1d")
    trainer.set_params(params.as_crfsuite())
    count = 0
    for xseq, yseq in items:
        if xseq:
            trainer.append(xseq, yseq)
            count += 1
    if not count:
        raise TrainingDataError("no labelled sentences to train on")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    t0 = time.perf_counter()
    trainer.train(str(tmp))
    seconds = time.perf_counter() - t0
    os.replace(tmp, out)
    return out.stat().st_size, seconds


def train_from_directory(
    data_dir: Path,
    out: Path,
    *,
    corpora: Sequence[Corpus] = CORPORA,
    params: TrainParams = TrainParams(),
    on_iteration: Callable[[int], None] | None = None,
) -> TrainReport:
    """Read ``corpora`` under ``data_dir``, train, write ``out``; the CLI's whole job."""
    if not data_dir.is_dir():
        raise TrainingDataError(f"{data_dir}: not a directory")
    examples = read_examples(data_dir, corpora)
    if not examples:
        expected = ", ".join(f for c in corpora for f in c.files)
        raise TrainingDataError(f"{data_dir}: none of the labelled files was found ({expected})")
    weight = {c.name: c.weight for c in corpora}
    size, seconds = train_person_model(
        (item for ex in examples for item in [featurize(ex)] * weight[ex.corpus]),
        out,
        params,
        on_iteration=on_iteration,
    )
    return TrainReport(
        examples=len(examples),
        characters=sum(len(ex.text) for ex in examples),
        names=sum(len(ex.names) for ex in examples),
        corpora=tuple(sorted({ex.corpus for ex in examples})),
        seconds=seconds,
        model_bytes=size,
        params=params,
    )
