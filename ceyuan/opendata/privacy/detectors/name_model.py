"""The default person-name detector: a character CRF stacked on the rules' evidence.

Model: a linear-chain conditional random field over the characters of a sentence, labels
B, M, E (first, middle, last character of a name), S (a one-character name) and O, features
from ``name_features`` (the characters around, lexicon classes, the segmentation, context
words and the rule detector's candidates with their scores). Viterbi decoding gives the spans;
a span's confidence is the smallest marginal probability of its labels, so it reads as "the
model is at least this sure of every character of the span".

The model file ships as package data (``detectors/models/person.crfsuite``, built by
``ceyuan privacy train-names``; see docs/privacy-engine.md for its provenance and licence).
It is read once per process on first use; each thread opens its own tagger because a
python-crfsuite tagger holds decoding state. Nothing is downloaded. Without the file the
rules run alone.

When the optional lexical model (THULAC) is installed, its person-name words that overlap no
CRF span are added at its usual weight, and CRF spans it also tags as names are marked
``+model``; the CRF's features never include it (the shipped model is trained without it).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from importlib import resources
from typing import Any

from ceyuan.opendata.privacy.detectors.base import detector
from ceyuan.opendata.privacy.detectors.lexical_model import (
    PERSON_TAG,
    LexicalModel,
    lexical_model,
)
from ceyuan.opendata.privacy.detectors.name_features import TextFeatures, labels_to_spans
from ceyuan.opendata.privacy.detectors.names import (
    MODEL_NAME,
    RuleEvidence,
    find_person,
    rule_evidence,
)
from ceyuan.opendata.privacy.findings import Finding

MODEL_PACKAGE = "ceyuan.opendata.privacy.detectors.models"
MODEL_FILE = "person.crfsuite"
# Sentences are tagged one at a time: the model was trained on sentences, and feature lists
# for a whole document would hold tens of strings per character at once.
_SENTENCE = re.compile(r"[^。！？!?\n]*[。！？!?\n]*")
MAX_PIECE = 600
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# A name found this surely is a name wherever it recurs in the same text.
REPEAT_FROM = 0.8
REPEATED = 0.6


class PersonModel:
    """A trained CRF for person names, decoded per sentence."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._local = threading.local()
        self._tagger()  # fail now, not on the first text, when the bytes are not a model

    def _tagger(self) -> Any:
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            import pycrfsuite

            tagger = pycrfsuite.Tagger()
            tagger.open_inmemory(self._data)
            self._local.tagger = tagger
        return tagger

    def spans(self, text: str, evidence: RuleEvidence) -> list[tuple[int, int, float]]:
        """Name spans with their confidence (smallest label marginal over the span)."""
        tagger = self._tagger()
        features = TextFeatures(text, evidence)
        out: list[tuple[int, int, float]] = []
        for start, end in _pieces(text):
            if not text[start:end].strip():
                continue
            tagger.set(features.features(start, end))
            labels = tagger.tag()
            for s, e in labels_to_spans(labels, start):
                if not _HAN.search(text, s, e):
                    continue  # Latin letters or digits alone ("False", "ID"): not a Chinese name
                conf = min(tagger.marginal(labels[i - start], i - start) for i in range(s, e))
                out.append((s, e, conf))
        return out


def _pieces(text: str) -> Iterator[tuple[int, int]]:
    for m in _SENTENCE.finditer(text):
        s, e = m.span()
        while e - s > MAX_PIECE:
            yield s, s + MAX_PIECE
            s += MAX_PIECE
        if e > s:
            yield s, e


@functools.cache
def person_model() -> PersonModel | None:
    """The shipped model, loaded once per process; ``None`` when the file is absent."""
    path = resources.files(MODEL_PACKAGE).joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    return PersonModel(path.read_bytes())


@detector("person", description="Personal name in Chinese text", structured=False)
def detect_person(text: str) -> Iterator[Finding]:
    """Names by the CRF over the rules' evidence (rules alone when no model is shipped)."""
    return find_names(text, person_model(), lexical_model())


def find_names(
    text: str, model: PersonModel | None, lexical: LexicalModel | None = None
) -> Iterator[Finding]:
    """Person names in ``text``; ``model=None`` means the rules alone (with ``lexical``)."""
    if model is None:
        yield from find_person(text, lexical)
        return
    evidence = rule_evidence(text, None)
    found: dict[tuple[int, int], tuple[float, str]] = {}
    for s, e, conf in model.spans(text, evidence):
        rule = "crf+rules" if (s, e) in evidence.accepted else "crf"
        found[(s, e)] = (conf, rule)
    if lexical is not None:
        found = _with_lexical(found, lexical, text)
    found.update(_repeated(text, evidence, found))
    for (s, e), (conf, rule) in sorted(found.items()):
        yield Finding(s, e, "person", round(min(max(conf, 0.0), 0.99), 3), rule)


def _repeated(
    text: str, evidence: RuleEvidence, found: dict[tuple[int, int], tuple[float, str]]
) -> dict[tuple[int, int], tuple[float, str]]:
    """Other occurrences, at word boundaries, of names found surely (two characters or more)."""
    strong = {
        text[s:e] for (s, e), (conf, _) in found.items() if conf >= REPEAT_FROM and e - s >= 2
    }
    if not strong:
        return {}
    covered = {i for s, e in found for i in range(s, e)}
    lengths = sorted({len(n) for n in strong}, reverse=True)
    bounds = {t[0] for t in evidence.tokens}
    extra: dict[tuple[int, int], tuple[float, str]] = {}
    for s in sorted(bounds):
        for n in lengths:
            if text[s : s + n] in strong and not covered.intersection(range(s, s + n)):
                extra[(s, s + n)] = (REPEATED, "repeated")
                covered.update(range(s, s + n))
                break
    return extra


def _with_lexical(
    found: dict[tuple[int, int], tuple[float, str]], lexical: LexicalModel, text: str
) -> dict[tuple[int, int], tuple[float, str]]:
    out = dict(found)
    covered = {i for s, e in found for i in range(s, e)}
    for s, e, tag in lexical.tag(text):
        if tag != PERSON_TAG:
            continue
        if (s, e) in out:
            conf, rule = out[(s, e)]
            out[(s, e)] = (max(conf, MODEL_NAME), rule + "+model")
        elif not covered.intersection(range(s, e)) and text[s:e].strip():
            out[(s, e)] = (MODEL_NAME, "model")
    return out
