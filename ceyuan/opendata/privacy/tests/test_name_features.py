"""Features and labels of the person-name sequence model (no model file needed)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ceyuan.opendata.privacy.detectors.name_features import (
    LABELS,
    TextFeatures,
    char_features,
    labels_to_spans,
    spans_to_labels,
)
from ceyuan.opendata.privacy.detectors.names import rule_evidence

from .test_lexical_model import generated_sentences


def _features(text: str) -> list[set[str]]:
    return [set(f) for f in char_features(text, rule_evidence(text, None))]


def test_every_character_gets_its_own_feature_list() -> None:
    for text, _ in generated_sentences(10, seed=3):
        rows = char_features(text, rule_evidence(text, None))
        assert len(rows) == len(text)
        assert all(f"c={c}" in row for c, row in zip(text, rows, strict=True) if c.strip())


def test_features_of_a_range_equal_that_slice_of_the_whole_text() -> None:
    # The detector tags long texts sentence by sentence; the features must not change.
    text = "记者王晓明报道。" * 3 + "会后，张伟和李娜一一握手。"
    whole = TextFeatures(text, rule_evidence(text, None))
    full = whole.features()
    for start, end in [(0, 8), (8, 16), (5, 30), (24, len(text))]:
        assert whole.features(start, end) == full[start:end]


def test_a_name_after_a_title_carries_context_and_rule_evidence() -> None:
    text = "记者王晓明报道，会议于昨日召开。"
    rows = _features(text)
    first = rows[text.index("王")]
    assert "L0=2" in first  # 记者 ends right before: strong left context
    assert any(f.startswith("r=B") for f in first)  # the rules' candidate starts here
    assert "k=S" in first  # a surname character
    assert any(f.startswith("r=I") for f in rows[text.index("明")])


def test_digits_and_latin_letters_are_folded() -> None:
    rows = _features("编号AB12")
    assert "c=A" in rows[2] and "c=0" in rows[4]


@settings(max_examples=100, deadline=None)
@given(
    st.integers(min_value=1, max_value=40).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, 5)), max_size=6),
        )
    )
)
def test_labels_and_spans_round_trip(case: tuple[int, list[tuple[int, int]]]) -> None:
    n, raw = case
    spans = []
    taken: set[int] = set()
    for start, length in raw:
        end = min(n, start + length)
        if taken.isdisjoint(range(start, end)):
            spans.append((start, end))
            taken.update(range(start, end))
    labels = spans_to_labels(n, spans)
    assert len(labels) == n and set(labels) <= set(LABELS)
    assert labels_to_spans(labels) == sorted(spans)


def test_stray_inner_labels_still_make_a_span() -> None:
    # A decoder can emit M/E after O; those characters were judged part of a name.
    assert labels_to_spans(list("OMEOBMMOSE")) == [(1, 3), (4, 7), (8, 9), (9, 10)]
    assert labels_to_spans(list("BM"), offset=5) == [(5, 7)]
