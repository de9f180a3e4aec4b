"""Baselines for the privacy benchmarks: jieba POS tags and Microsoft Presidio (bench only).

Presidio needs a spaCy pipeline for its language. No Chinese spaCy pipeline is installable
from PyPI here (the trained ``zh_core_web_*`` models are distributed outside PyPI, and
nothing may be downloaded at run time), so the best available configuration is a blank
Chinese spaCy pipeline (character tokenizer, no NER) with Presidio's language-independent
pattern recognizers registered for ``zh``: e-mail, IP, credit card, phone (CN region) and URL.
Its spaCy NER recognizer is registered too but has no entity model to use, so Presidio finds
no person names or addresses in Chinese text.
"""

from __future__ import annotations

import functools
import tempfile
from typing import Any

# Presidio type -> engine type.
PRESIDIO_MAP = {
    "EMAIL_ADDRESS": "email",
    "IP_ADDRESS": "ip_address",
    "CREDIT_CARD": "bank_card",
    "PHONE_NUMBER": "phone",
    "PERSON": "person",
    "LOCATION": "address",
}


@functools.cache
def presidio_analyzer() -> Any:
    import spacy
    import tldextract
    import tldextract.tldextract as tx
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IpRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
        UrlRecognizer,
    )

    # Use tldextract's bundled suffix list instead of fetching it from the network.
    tx.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    path = tempfile.mkdtemp(prefix="zh_blank_")
    spacy.blank("zh").to_disk(path)
    engine = SpacyNlpEngine(models=[{"lang_code": "zh", "model_name": path}])
    engine.load()
    registry = RecognizerRegistry(supported_languages=["zh"])
    for rec in (
        EmailRecognizer(supported_language="zh"),
        IpRecognizer(supported_language="zh"),
        CreditCardRecognizer(supported_language="zh"),
        PhoneRecognizer(supported_language="zh", supported_regions=["CN"]),
        UrlRecognizer(supported_language="zh"),
        SpacyRecognizer(supported_language="zh"),
    ):
        registry.add_recognizer(rec)
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["zh"])


def presidio_spans(text: str, threshold: float = 0.3) -> list[tuple[int, int, str]]:
    out = []
    for r in presidio_analyzer().analyze(text, language="zh"):
        if r.score >= threshold and r.entity_type in PRESIDIO_MAP:
            out.append((r.start, r.end, PRESIDIO_MAP[r.entity_type]))
    return out


@functools.cache
def _jieba() -> Any:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg.POSTokenizer(jieba.Tokenizer())


def jieba_spans(text: str) -> list[tuple[int, int, str]]:
    """jieba POS baseline: nr/nrfg/nrt -> person; runs of ns -> address (place)."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    place: list[int] | None = None
    for pair in _jieba().cut(text):
        s, e = pos, pos + len(pair.word)
        pos = e
        if pair.flag == "ns":
            place = [place[0], e] if place else [s, e]
            continue
        if place:
            out.append((place[0], place[1], "address"))
            place = None
        if pair.flag in ("nr", "nrfg", "nrt"):
            out.append((s, e, "person"))
    if place:
        out.append((place[0], place[1], "address"))
    return out
