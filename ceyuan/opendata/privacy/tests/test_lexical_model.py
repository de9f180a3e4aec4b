"""The optional lexical model as evidence for person names, and the fallback without it."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from faker import Faker

from ceyuan.opendata.privacy.detectors import scan_text
from ceyuan.opendata.privacy.detectors.lexical_model import PERSON_TAG, WordTag, lexical_model
from ceyuan.opendata.privacy.detectors.names import find_person

TEMPLATES = (
    "{}昨天在会上介绍了今年的工作情况。",
    "记者采访了{}，了解到项目进展顺利。",
    "据{}介绍，这批设备下月投入使用。",
    "会后，{}和代表们一一握手。",
)


@pytest.fixture(autouse=True)
def _fresh_model_cache() -> Iterator[None]:
    lexical_model.cache_clear()
    yield
    lexical_model.cache_clear()


def generated_sentences(n: int, seed: int) -> list[tuple[str, tuple[int, int]]]:
    """Sentences with one faker zh_CN name each, and the name's span."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    out = []
    for i in range(n):
        name = str(fake.name())
        template = TEMPLATES[i % len(TEMPLATES)]
        start = template.index("{}")
        out.append((template.format(name), (start, start + len(name))))
    return out


class _GoldTagger:
    """A stand-in model that tags given spans as names and everything else as one noun."""

    def __init__(self, names: list[tuple[int, int]]) -> None:
        self._names = sorted(names)

    def tag(self, text: str) -> list[WordTag]:
        words: list[WordTag] = []
        pos = 0
        for s, e in self._names:
            if pos < s:
                words.append((pos, s, "n"))
            words.append((s, e, PERSON_TAG))
            pos = e
        if pos < len(text):
            words.append((pos, len(text), "n"))
        return words


def test_engine_uses_rules_when_the_model_package_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "thulac", None)  # makes ``import thulac`` fail
    assert lexical_model() is None
    text = "记者王晓明报道，会议于昨日召开。"
    assert [text[f.start : f.end] for f in scan_text(text, ["person"])] == ["王晓明"]


def test_names_the_model_tags_are_reported_even_without_rule_evidence() -> None:
    text = "昨天乌兰巴日来到学校。"  # a Mongolian name: no surname, no title
    name = (2, 6)
    assert name not in {(f.start, f.end) for f in find_person(text, None)}
    found = {(f.start, f.end): f.rule for f in find_person(text, _GoldTagger([name]))}
    assert found.get(name) == "model"


def test_a_rule_candidate_the_model_reads_as_another_word_is_dropped() -> None:
    text = "中国国籍，无境外永久居留权，"  # 居 is a surname; 居留权 is a noun
    noun = (text.index("居留权"), text.index("居留权") + 3)
    assert noun in {(f.start, f.end) for f in find_person(text, None)}

    class _Tagger:
        def tag(self, text: str) -> list[WordTag]:
            return [(0, noun[0], "n"), (noun[0], noun[1], "n"), (noun[1], len(text), "w")]

    assert noun not in {(f.start, f.end) for f in find_person(text, _Tagger())}


def test_model_evidence_keeps_names_in_generated_sentences() -> None:
    sentences = generated_sentences(40, seed=20261128)
    for text, span in sentences:
        found = {(f.start, f.end) for f in find_person(text, _GoldTagger([span]))}
        assert span in found, text


def test_the_installed_model_finds_names_in_generated_sentences() -> None:
    pytest.importorskip("thulac")
    model = lexical_model()
    assert model is not None
    sentences = generated_sentences(40, seed=7)
    hits = sum(span in {(f.start, f.end) for f in find_person(t, model)} for t, span in sentences)
    assert hits >= 36, hits
