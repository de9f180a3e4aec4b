"""Character features for the person-name sequence model, and BMES labels <-> spans.

One feature list per character, as strings (python-crfsuite's binary attributes). Every
feature is a general property of the text around the character, computed from what the rule
detector already has (``names.RuleEvidence``), so extraction adds no second segmentation:

- the character and its neighbours on either side (digits folded to ``0``, Latin letters to
  ``A``), and the character bigrams that touch it;
- the character's class in the lexicon: single surname, first half of a compound surname,
  transliteration character (strong or weak); runs of three or more transliteration
  characters, by position and length;
- the given-name likelihood ratio of the character (jieba's name-HMM emission against its
  overall frequency), bucketed;
- the word the segmenter put it in: position (B/M/E/S), dictionary tag (``nr``, ``ns``,
  ``unk`` ...) and length;
- context words: a title or role ending just before (记者, 总统), a title or reporting verb
  starting just after (先生, 说), strong or weak, at offsets up to three characters;
- the rule detector's candidates (stacking): for the best-scoring candidate covering the
  character, its position, its score bucketed by tenths and the kind of rule that produced
  it; whether a candidate ends just before.

Invariant: ``char_features(text, evidence, start, end)`` depends only on ``text`` and the
evidence, never on labels, and returns exactly ``end - start`` lists.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence

from ceyuan.opendata.privacy.detectors.lexicon import (
    COMPOUND_SURNAMES,
    LEFT_CONTEXT,
    RIGHT_CONTEXT,
    SINGLE_SURNAMES,
    STRONG_LEFT,
    STRONG_RIGHT,
    STRONG_TRANSLIT,
    TRANSLIT_CHARS,
)
from ceyuan.opendata.privacy.detectors.names import RuleEvidence, Span, given_char_llr

# Labels: a name of one character is S, longer names B M... E; everything else O.
OUTSIDE, BEGIN, MIDDLE, END, SINGLE = "O", "B", "M", "E", "S"
LABELS = (OUTSIDE, BEGIN, MIDDLE, END, SINGLE)
INSIDE = "I"  # position code of a rule candidate's later characters (a feature, not a label)

# Digits and Latin letters are folded so that numbers do not become rare features.
_SHAPE = str.maketrans(
    {
        **{c: "0" for c in "0123456789０１２３４５６７８９"},
        **{c: "A" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"},
        "\n": " ",
        "\t": " ",
        "\r": " ",
    }
)
_COMPOUND_FIRST = frozenset(s[0] for s in COMPOUND_SURNAMES)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_LEFT_WORDS = re.compile(_alternation(LEFT_CONTEXT))
_RIGHT_WORDS = re.compile(_alternation(RIGHT_CONTEXT))
_COMPOUND_RE = re.compile(_alternation(COMPOUND_SURNAMES))
_TRANSLIT_RUN = re.compile("[" + "".join(sorted(TRANSLIT_CHARS)) + "]{3,}")


def _char_class(c: str) -> str:
    """Lexicon classes of one character, as a short code (``S`` surname, ``T`` translit ...)."""
    code = ""
    if c in SINGLE_SURNAMES:
        code += "S"
    if c in _COMPOUND_FIRST:
        code += "C"
    if c in STRONG_TRANSLIT:
        code += "X"
    elif c in TRANSLIT_CHARS:
        code += "T"
    return code or "-"


def _given_bucket(c: str) -> str:
    """How much likelier ``c`` is inside a name than in text overall (jieba's tables)."""
    return str(max(-3, min(3, int(given_char_llr(c)))))


class _CharTable(dict[str, str]):
    """Per-character feature values, computed on first sight (the alphabet is small)."""

    def __init__(self, fn: Callable[[str], str]) -> None:
        super().__init__()
        self._fn = fn

    def __missing__(self, c: str) -> str:
        value = self[c] = self._fn(c)
        return value


class _OwnFeatures(dict[str, tuple[str, ...]]):
    """The features that depend on the character alone, built once per character."""

    def __missing__(self, c: str) -> tuple[str, ...]:
        value = self[c] = ("c=" + c, "k=" + _char_class(c), "g=" + _given_bucket(c))
        return value


_OWN = _OwnFeatures()
_LEFT_CHAR = _CharTable(lambda c: "c-1=" + c)
_RIGHT_CHAR = _CharTable(lambda c: "c+1=" + c)


def _context_marks(
    text: str, pattern: re.Pattern[str], strong: frozenset[str], at_end: bool
) -> dict[int, str]:
    """Offsets where a context word ends (``at_end``) or starts, with its strength."""
    marks: dict[int, str] = {}
    for m in pattern.finditer(text):
        pos = m.end() if at_end else m.start()
        marks[pos] = "2" if m.group() in strong else "1"
    return marks


class TextFeatures:
    """Per-text work done once (segmentation marks, context, rule candidates); features for
    any range of characters are then built from it, so a long text is tagged piece by piece
    without repeating it."""

    __slots__ = ("_padded", "_seg", "_sparse", "_sparse_at", "n")

    def __init__(self, text: str, evidence: RuleEvidence) -> None:
        n = self.n = len(text)
        self._padded = "^^" + text.translate(_SHAPE) + "$$"
        seg = ["^"] + ["O"] * n + ["$"]  # shifted by one: seg[i + 1] is character i
        for s, e, _word, flag in evidence.tokens:
            length = e - s
            size = flag + str(min(length, 4))
            if length == 1:
                seg[s + 1] = "S" + size
                continue
            seg[s + 1] = "B" + size
            for i in range(s + 2, e):
                seg[i] = "M" + size
            seg[e] = "E" + size
        self._seg = seg
        self._sparse = _sparse_features(text, evidence)
        self._sparse_at = sorted(self._sparse)

    def features(self, start: int = 0, end: int | None = None) -> list[tuple[str, ...]]:
        """Feature strings for characters ``start`` to ``end`` (context may reach outside)."""
        end = self.n if end is None else end
        p = self._padded[start : end + 4]
        cur = p[2:-2]
        prev, nxt = p[1:-3], p[3:-1]
        seg = self._seg[start : end + 2]
        own = _OWN
        rows = [
            own[c] + (left, right, "b-1=" + a + c, "b+1=" + c + b, word, word_left, word_right)
            for c, a, b, left, right, word, word_left, word_right in zip(
                cur,
                prev,
                nxt,
                [_LEFT_CHAR[c] for c in prev],
                [_RIGHT_CHAR[c] for c in nxt],
                ["w=" + w for w in seg[1:-1]],
                ["w-1=" + w for w in seg[:-2]],
                ["w+1=" + w for w in seg[2:]],
                strict=True,
            )
        ]
        # Sparse features, computed once per text: only positions that carry them are visited.
        sparse = self._sparse
        at = self._sparse_at
        for i in at[bisect.bisect_left(at, start) : bisect.bisect_left(at, end)]:
            rows[i - start] += sparse[i]
        return rows


def _sparse_features(text: str, evidence: RuleEvidence) -> dict[int, tuple[str, ...]]:
    """Features that few characters carry: context words, compound surnames, transliteration
    runs and the rules' candidates, by position."""
    n = len(text)
    extra: dict[int, list[str]] = {}

    def add(i: int, *feats: str) -> None:
        if 0 <= i < n:
            extra.setdefault(i, []).extend(feats)

    for pos, mark in _context_marks(text, _LEFT_WORDS, STRONG_LEFT, at_end=True).items():
        for k in (0, 1, 2):
            add(pos + k, f"L{k}={mark}")
    for pos, mark in _context_marks(text, _RIGHT_WORDS, STRONG_RIGHT, at_end=False).items():
        for k in (0, 1, 2, 3):
            add(pos - k, f"R{k}={mark}")
    for m in _COMPOUND_RE.finditer(text):
        add(m.start(), "cs")
    # Runs of three or more transliteration characters (阿斯普里拉), however segmented.
    for m in _TRANSLIT_RUN.finditer(text):
        s, e = m.span()
        size = str(min(e - s, 6))
        for i in range(s, e):
            add(i, "tr=" + ("B" if i == s else ("E" if i == e - 1 else "M")) + size)
    score, kind, ends = _rule_marks(evidence, n)
    for pos in ends:
        if pos < n and not score[pos]:
            add(pos, "r=after")
    for i, value in enumerate(score):
        if value:
            add(i, "r=" + value, "rk=" + kind[i])
    return {i: tuple(feats) for i, feats in extra.items()}


def _rule_marks(evidence: RuleEvidence, n: int) -> tuple[list[str], list[str], set[int]]:
    """Per character: position + score bucket, position + rule kind, of the best candidate."""
    best = [-1.0] * n
    pos_score = [""] * n
    pos_kind = [""] * n
    ends: set[int] = set()
    spans: dict[Span, tuple[float, str]] = dict(evidence.candidates)
    for span, value in evidence.accepted.items():
        spans.setdefault(span, value)
    for (s, e), (score, rule) in spans.items():
        if score <= 0.0:
            continue
        bucket = str(min(9, int(score * 10)))
        kind = rule.split("+", 1)[0]
        if score >= 0.5:
            ends.add(e)
        for i in range(s, min(e, n)):
            if score > best[i]:
                best[i] = score
                p = BEGIN if i == s else INSIDE
                pos_score[i] = p + bucket
                pos_kind[i] = p + kind
    return pos_score, pos_kind, ends


def char_features(
    text: str, evidence: RuleEvidence, start: int = 0, end: int | None = None
) -> list[tuple[str, ...]]:
    """Feature strings for the characters ``text[start:end]`` (context may reach outside)."""
    return TextFeatures(text, evidence).features(start, end)


def spans_to_labels(n: int, spans: Iterable[Span]) -> list[str]:
    """BMES labels for a text of length ``n``; overlapping spans keep the earlier one."""
    labels = [OUTSIDE] * n
    for s, e in sorted(spans):
        if s < 0 or e > n or s >= e or any(labels[i] != OUTSIDE for i in range(s, e)):
            continue
        if e - s == 1:
            labels[s] = SINGLE
            continue
        labels[s] = BEGIN
        for i in range(s + 1, e - 1):
            labels[i] = MIDDLE
        labels[e - 1] = END
    return labels


def labels_to_spans(labels: Sequence[str], offset: int = 0) -> list[Span]:
    """Spans from BMES labels. Decoding is lenient: a span runs from a B (or a stray M/E
    after O) to the next E, S, B or O, so every character labelled part of a name is in a
    span."""
    spans: list[Span] = []
    start = -1
    for i, label in enumerate(labels):
        if label in (BEGIN, SINGLE, OUTSIDE) and start >= 0:
            spans.append((offset + start, offset + i))
            start = -1
        if label == SINGLE:
            spans.append((offset + i, offset + i + 1))
        elif label in (BEGIN, MIDDLE, END) and start < 0:
            start = i
        if label == END and start >= 0:
            spans.append((offset + start, offset + i + 1))
            start = -1
    if start >= 0:
        spans.append((offset + start, offset + len(labels)))
    return spans
