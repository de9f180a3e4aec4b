"""Person names and postal addresses in free Chinese text.

Names combine evidence, each a general property of Chinese text (details and weights in
docs/privacy-engine.md):
- a known surname (single or compound) at a token boundary, followed by one or two given-name
  characters whose likelihood under jieba's name model beats their general frequency;
- jieba's dictionary tag ``nr``, or an unknown word (the commonest unknown words in news are
  names); transliteration characters for foreign names;
- context: titles and roles before (记者, 总统, 教授), titles and reporting verbs after
  (先生, 女士, 说, 表示);
- consistency: a string accepted confidently once in a text is a name wherever it recurs;
- optionally, a trained lexical model shipped in its package (THULAC, see lexical_model.py):
  its person-name words are candidates, and it confirms or contradicts the rule candidates.
  Without the package the rules run alone.
The score is a sum of weights, capped at 0.99; spans scoring >= 0.5 are the rules' answer.
The registered ``person`` detector (name_model.py) passes all of this evidence, candidates
below 0.5 included, to a trained CRF, which decides; these rules answer alone only when no
model file is present.

Addresses start at an administrative division from the ``cpca`` lexicon, at the start of the
text, or after a function word or punctuation, and extend over address components
(镇/乡/村/路/街/号/栋/室 ...) and house numbers. Divisions alone (北京, 北京市海淀区) are a place,
not a personal address, and are what generalisation leaves, so they are not reported.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ceyuan.opendata.privacy.detectors.base import detector
from ceyuan.opendata.privacy.detectors.lexical_model import (
    PERSON_TAG,
    LexicalModel,
    WordTag,
)
from ceyuan.opendata.privacy.detectors.lexicon import (
    ADDRESS_SUFFIXES,
    COMPOUND_SURNAMES,
    FOREIGN_PLACES,
    HONORIFIC_GIVEN,
    LEFT_CONTEXT,
    NOT_NAMES,
    RIGHT_CONTEXT,
    SINGLE_SURNAMES,
    STRONG_LEFT,
    STRONG_RIGHT,
    STRONG_TRANSLIT,
    TRANSLIT_CHARS,
)
from ceyuan.opendata.privacy.detectors.places import find_places
from ceyuan.opendata.privacy.findings import Finding

_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_HAN_OR_DOT = re.compile(r"^[\u4e00-\u9fff·]+$")
_NAME_FLAGS = frozenset({"nr", "nrfg"})

Token = tuple[int, int, str, str]  # start, end (exclusive), word, dictionary tag or "unk"
Span = tuple[int, int]


@functools.cache
def _tokenizer() -> Any:
    """jieba's segmenter; the Rust port (rjieba, same dictionary and HMM) when installed."""
    try:
        import rjieba

        return rjieba.Jieba()
    except ImportError:  # pragma: no cover - pure-Python fallback
        import jieba

        jieba.setLogLevel(60)
        tok = jieba.Tokenizer()
        tok.initialize()
        return _PyJieba(tok)


class _PyJieba:
    def __init__(self, tok: Any) -> None:
        self._tok = tok

    def cut(self, text: str, hmm: bool) -> list[str]:
        return list(self._tok.cut(text, HMM=hmm))


UNKNOWN = "unk"
ACCEPT = 0.5  # candidates scoring at least this are reported


def tag_tokens(text: str) -> list[Token]:
    """Segment with jieba (dictionary + HMM for unknown words) and tag from its dictionary.

    jieba's own POS tagger runs a second, much slower HMM over unknown words; here a word the
    dictionary does not know is tagged ``unk``, which for a surname-initial 2-4 character
    word is itself evidence of a name (names are the commonest unknown words in news).
    """
    words = _lexicon()[0]
    tokens: list[Token] = []
    pos = 0
    for word in _tokenizer().cut(text, True):
        entry = words.get(word)
        tokens.append((pos, pos + len(word), word, entry[0] if entry else UNKNOWN))
        pos += len(word)
    return tokens


@functools.cache
def _lexicon() -> tuple[dict[str, tuple[str, int]], dict[str, float]]:
    """jieba's dictionary (word -> (POS tag, frequency)) and log character frequencies."""
    text = resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8")
    words: dict[str, tuple[str, int]] = {}
    counts: dict[str, int] = {}
    total = 0
    for line in text.splitlines():
        parts = line.split(" ")
        if len(parts) < 3:
            continue
        word, freq, tag = parts[0], int(parts[1]), parts[2]
        words[word] = (tag, freq)
        for c in word:
            counts[c] = counts.get(c, 0) + freq
            total += freq
    log_total = math.log(total)
    return words, {c: math.log(n + 1) - log_total for c, n in counts.items()}


@functools.cache
def _name_emission() -> dict[tuple[str, str], dict[str, float]]:
    from jieba.posseg.prob_emit import P  # type: ignore[import-untyped,unused-ignore]

    return {k: v for k, v in P.items() if k[1] == "nr"}


_UNSEEN = -14.0


def given_name_llr(given: str) -> float:
    """Mean log-likelihood ratio of the given-name characters: name model vs all text.

    The name model is the emission table of jieba's part-of-speech HMM for names (``nr``);
    the background is the character frequency of jieba's dictionary.
    """
    emit = _name_emission()
    background = _lexicon()[1]
    total = 0.0
    for i, c in enumerate(given):
        state = "E" if i == len(given) - 1 else "M"
        total += emit[(state, "nr")].get(c, _UNSEEN) - background.get(c, _UNSEEN)
    return total / len(given)


def given_char_llr(c: str) -> float:
    """Log-likelihood ratio of ``c`` as a given-name character (best of middle and end)."""
    emit = _name_emission()
    inside = max(emit[("E", "nr")].get(c, _UNSEEN), emit[("M", "nr")].get(c, _UNSEEN))
    return inside - _lexicon()[1].get(c, _UNSEEN)


def _surname_len(word: str) -> int:
    if word[:2] in COMPOUND_SURNAMES and len(word) >= 3:
        return 2
    return 1 if word[:1] in SINGLE_SURNAMES else 0


def looks_like_name_cell(value: str) -> bool:
    """A table cell holding only a Chinese name (surname + 1-2 given characters)."""
    v = value.strip()
    if not 2 <= len(v) <= 4 or not _HAN.match(v):
        return False
    n = _surname_len(v)
    return n > 0 and 1 <= len(v) - n <= 2 and v not in NOT_NAMES and given_name_llr(v[n:]) > 0


_TRANSLIT_RUN = re.compile("[" + "".join(sorted(TRANSLIT_CHARS)) + "]{2,8}")
_DOTTED_NAME = re.compile(r"[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,8}")
_PLACE_SUFFIX = frozenset("市县镇村路街省区州山河江湖队厂寺站港岛湾乡庄堡")
_TITLE_END = frozenset("长员官师家手生监")


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_LEFT_RE = re.compile("(?:" + _alternation(LEFT_CONTEXT) + ")$")
_RIGHT_RE = re.compile(_alternation(RIGHT_CONTEXT))


def _left_score(text: str, start: int) -> float:
    before = text[max(0, start - 5) : start]
    m = _LEFT_RE.search(before)
    if m:
        return 0.25 if m.group() in STRONG_LEFT else 0.1
    if before[-1:] in _TITLE_END:
        return 0.2  # 署长, 会长, 工程师, 总监: a title just before
    if start == 0 or text[start - 1] in "\n。！？；":
        return 0.05
    return 0.0


def _right_score(text: str, end: int) -> float:
    m = _RIGHT_RE.match(text, end)
    if m:
        return 0.25 if m.group() in STRONG_RIGHT else 0.1
    if end == len(text):
        return 0.05
    return 0.0


def _score_chinese(text: str, start: int, end: int, tagged_nr: bool) -> tuple[float, str]:
    word = text[start:end]
    if not _HAN.match(word) or word in NOT_NAMES:
        return 0.0, ""
    sl = _surname_len(word)
    given = word[sl:]
    if not sl or not 1 <= len(given) <= 2:
        return 0.0, ""
    if (
        all(c in STRONG_TRANSLIT for c in word)
        or (len(word) >= 3 and all(c in TRANSLIT_CHARS for c in word))
        or word in FOREIGN_PLACES
        or given in HONORIFIC_GIVEN
    ):
        return 0.0, ""  # 莫斯科, 阿森纳: scored as a transliteration instead
    rule = ["surname"]
    score = 0.2
    entry = _lexicon()[0].get(word)
    if tagged_nr:
        score += 0.2
        rule.append("jieba_nr")
    llr = given_name_llr(given)
    if llr > 1.5:
        score += 0.25
    elif llr > 0.5:
        score += 0.15
    elif llr > -0.5:
        score += 0.05
    else:
        score -= 0.15
    rule.append(f"given{llr:+.1f}")
    if text[end : end + 1] in _PLACE_SUFFIX:
        score -= 0.3
    if entry is not None and entry[0] not in ("nr", "nrfg") and entry[1] >= 20:
        score -= 0.3  # an ordinary dictionary word that happens to start with a surname
    elif entry is not None and len(word) == 2 and entry[1] >= 200:
        score -= 0.2
    left, right = _left_score(text, start), _right_score(text, end)
    if left or right:
        rule.append("context")
    score += left + right
    return min(score, 0.99), "+".join(rule)


def _score_foreign(text: str, start: int, end: int, flag: str) -> tuple[float, str]:
    word = text[start:end]
    core = word.replace("·", "")
    if not 2 <= len(core) <= 10 or not _HAN.match(core):
        return 0.0, ""
    share = sum(c in TRANSLIT_CHARS for c in core) / len(core)
    if share < 0.75:
        return 0.0, ""
    score = 0.1 * (len(core) >= 3) + 0.3 * ("·" in word)
    if flag in ("nr", "nrt", "nrfg"):
        score += 0.3
    elif flag == UNKNOWN:
        score += 0.2  # an unknown word made of transliteration characters
    elif flag in ("ns", "nt"):
        score -= 0.3  # a transliterated place or organisation
    entry = _lexicon()[0].get(word)
    if entry is not None and entry[0] not in ("nr", "nrt", "nrfg"):
        score -= 0.3
    if word in FOREIGN_PLACES or any(
        word.endswith(x) for x in ("斯坦", "尼亚", "利亚", "兰", "堡", "港")
    ):
        return 0.0, ""
    score += 1.2 * (_left_score(text, start) + _right_score(text, end))
    return min(score, 0.95), "transliteration"


def _token_tail_is_word(token_at: dict[int, Token], cut: int) -> bool:
    """True when ``cut`` splits a token whose right part is a word itself (邓小平|理论)."""
    tok = token_at.get(cut)
    if tok is None:
        return False
    s, e, word, _ = tok
    tail = word[cut - s :]
    return s < cut < e and len(tail) >= 2 and tail in _lexicon()[0]


# Weights of the lexical model's evidence (see docs/privacy-engine.md, "Lexical model").
MODEL_NAME = 0.7  # a word the model tags as a person name, with no rule candidate
MODEL_AGREES = 0.3  # a rule candidate the model also tags as a name (at least MODEL_NAME)
MODEL_OTHER_TAG = -0.4  # the model reads the same characters as one word of another kind
MODEL_CROSSES = -0.3  # the candidate starts or ends inside one of the model's words
MODEL_SEVERAL = -0.2  # the candidate spans several of the model's words


def _model_adjust(
    cands: dict[tuple[int, int], tuple[float, str]], words: list[WordTag], text: str
) -> dict[tuple[int, int], tuple[float, str]]:
    """Re-weigh rule candidates by the model's words and add the model's own names."""
    tag_of = {(s, e): t for s, e, t in words}
    starts = {s for s, _, _ in words} | {len(text)}
    ends = {e for _, e, _ in words} | {0}
    out: dict[tuple[int, int], tuple[float, str]] = {}
    for span, (score, rule) in cands.items():
        tag = tag_of.get(span)
        if tag == PERSON_TAG:
            # Never below the model's own evidence: weak rule evidence is still evidence.
            boosted = max(score + MODEL_AGREES, MODEL_NAME)
            out[span] = (min(boosted, 0.99), rule + "+model")
        elif tag is not None:
            out[span] = (score + MODEL_OTHER_TAG, rule)
        elif span[0] not in starts or span[1] not in ends:
            out[span] = (score + MODEL_CROSSES, rule)
        else:
            out[span] = (score + MODEL_SEVERAL, rule)
    for s, e, tag in words:
        if tag == PERSON_TAG and (s, e) not in out and _HAN_OR_DOT.match(text[s:e]):
            out[(s, e)] = (MODEL_NAME, "model")
    return out


@dataclass(frozen=True, slots=True)
class RuleEvidence:
    """What the rules computed for one text, kept for the sequence model to reuse.

    ``candidates`` holds every scored candidate span, also those below ``ACCEPT``;
    ``accepted`` the rules' own answer (candidates >= ``ACCEPT`` plus repeated names).
    """

    tokens: list[Token]
    candidates: dict[Span, tuple[float, str]]
    accepted: dict[Span, tuple[float, str]]


def find_person(text: str, model: LexicalModel | None) -> Iterator[Finding]:
    """Person names in ``text`` by the rules; ``model`` adds a lexical model's evidence."""
    for (s, e), (sc, rule) in rule_evidence(text, model).accepted.items():
        yield Finding(s, e, "person", round(sc, 3), rule or "name")


def rule_evidence(
    text: str, model: LexicalModel | None, tokens: list[Token] | None = None
) -> RuleEvidence:
    """Segment ``text`` (unless ``tokens`` are given), score name candidates, apply consistency."""
    tokens = tag_tokens(text) if tokens is None else tokens
    bounds = {t[0] for t in tokens} | {len(text)}
    token_at = {
        i: t for t in tokens if t[1] - t[0] > 2 and _HAN.match(t[2]) for i in range(t[0] + 1, t[1])
    }
    flag_of = {(s, e): f for s, e, _, f in tokens}
    cands: dict[tuple[int, int], tuple[float, str]] = {}

    def offer(s: int, e: int, score: float, rule: str) -> None:
        if score > cands.get((s, e), (0.0, ""))[0]:
            cands[(s, e)] = (score, rule)

    # Chinese names: a surname at a token boundary, then one or two given-name characters.
    for s in bounds:
        if s >= len(text):
            continue
        sl = 2 if text[s : s + 2] in COMPOUND_SURNAMES else (1 if text[s] in SINGLE_SURNAMES else 0)
        if not sl:
            continue
        for g in (1, 2):
            e = s + sl + g
            if e > len(text):
                break
            inside = e not in bounds
            if inside and not _token_tail_is_word(token_at, e) and _right_score(text, e) < 0.25:
                continue
            flag = flag_of.get((s, e), "")
            if not flag and e - s >= 3:
                # Not a token of its own (邓小平|理论 was one word): ask the dictionary.
                entry = _lexicon()[0].get(text[s:e])
                flag = entry[0] if entry else ""
            score, rule = _score_chinese(text, s, e, flag in _NAME_FLAGS or flag == UNKNOWN)
            if inside:
                score -= 0.05
            if score:
                offer(s, e, score, rule)
        if text[s + sl : s + sl + 2] in ("某某",) or text[s + sl : s + sl + 1] == "某":
            e = s + sl + (2 if text[s + sl : s + sl + 2] == "某某" else 1)
            offer(s, e, 0.7, "surname_mou")
    # Transliterated names: one token, or tokens joined by a middle dot.
    for s, e, word, flag in tokens:
        if len(word) >= 2:
            score, rule = _score_foreign(text, s, e, flag)
            if score:
                offer(s, e, score, rule)
    # A run of transliteration characters right after a title: 总理若斯潘, 教练扎加洛.
    for m in _TRANSLIT_RUN.finditer(text):
        if _left_score(text, m.start()) >= 0.2:
            for e in range(m.start() + 2, m.end() + 1):
                score, rule = _score_foreign(text, m.start(), e, UNKNOWN)
                if score:
                    offer(m.start(), e, score, rule)
    for m in _DOTTED_NAME.finditer(text):
        score, rule = _score_foreign(text, m.start(), m.end(), "")
        if score:
            offer(m.start(), m.end(), score, rule)
    if model is not None:
        cands = _model_adjust(cands, model.tag(text), text)
    accepted = {k: v for k, v in cands.items() if v[0] >= ACCEPT}
    # Consistency: other occurrences of a confidently accepted name are names too. Looked up
    # at token boundaries by length, so the cost stays linear in the text.
    # A one-character "name" (the model's 老[吕]) is not propagated: it would tag every 吕.
    strong = {text[s:e] for (s, e), (sc, _) in accepted.items() if sc >= 0.65 and e - s >= 2}
    if strong:
        lengths = sorted({len(n) for n in strong}, reverse=True)
        for s in bounds:
            for n in lengths:
                if text[s : s + n] in strong:
                    accepted.setdefault((s, s + n), (0.6, "repeated"))
                    break
    return RuleEvidence(tokens, cands, accepted)


# --- addresses ---------------------------------------------------------------------------

_SUFFIX_ALT = "|".join(sorted(ADDRESS_SUFFIXES, key=len, reverse=True))
_NUM = r"[0-9０-９一二三四五六七八九十百零〇甲乙丙丁A-Za-z]{1,6}"
_UNIT = r"(?:号院|号楼|号|弄|栋|幢|座|单元|楼|层|室|户|组|巷|排|期|区)"
_COMPONENT = re.compile(
    r"(?:"
    + _NUM
    + r"(?:[-－—]"
    + _NUM
    + r")?"
    + _UNIT
    + r"|[\u4e00-\u9fff]{1,8}?(?:"
    + _SUFFIX_ALT
    + r"))"
)
_TRAILING_NUMBER = re.compile(
    r"[0-9０-９]{1,6}(?:[-－—][0-9０-９A-Za-z]{1,6}){0,3}[A-Za-z]?(?![0-9])"
)
_FINE = re.compile(
    r"(?:号院|号楼|号|弄|栋|幢|座|单元|楼|层|室|户|路|街|大街|大道|道|巷|胡同|村|组|社区|小区|镇|乡|街道|"
    r"里|屯|庄|苑|花园|大厦|公寓|新村|家园|广场|开发区|工业区|工业园|园区)$"
)
_STOP_CHARS = frozenset(
    "的了是在和与及或但而也都就还又把被对从向给让为以于着过住往到去来自离由将"
    "，。！？；：、,.!?;:（）()《》“”\"' \n\t_"
)


def _extend(text: str, pos: int, limit: int = 60) -> tuple[int, list[str]]:
    parts: list[str] = []
    end = pos
    while end < len(text) and end - pos < limit:
        m = _COMPONENT.match(text, end)
        if not m or any(c in _STOP_CHARS for c in m.group()):
            break
        parts.append(m.group())
        end = m.end()
    if parts:
        m2 = _TRAILING_NUMBER.match(text, end)
        if m2:
            parts.append(m2.group())
            end = m2.end()
    return end, parts


@detector("address", description="Postal address in Chinese text", structured=False)
def detect_address(text: str) -> Iterator[Finding]:
    """Addresses start at a division, at the start of the text, or after a function word."""
    places = find_places(text)
    place_at = {p.start: p for p in places}
    starts = {0} | {i + 1 for i, c in enumerate(text) if c in _STOP_CHARS} | set(place_at)
    taken_until = 0
    for s in sorted(starts):
        if s < taken_until or s >= len(text):
            continue
        pos = s
        admin_levels = 0
        while pos in place_at:
            p = place_at[pos]
            admin_levels += 1
            pos = p.end
        end, parts = _extend(text, pos)
        fine = [p for p in parts if _FINE.search(p)]
        numbered = any(re.search(r"[0-9０-９]", p) for p in parts)
        # Divisions alone (北京市海淀区) are a place, and what an address generalised to
        # district level looks like: not reported, so generalisation is stable.
        accepted = (admin_levels and fine) or len(fine) >= 2 or (fine and numbered)
        if not accepted:
            continue
        components = admin_levels + len(parts)
        conf = min(0.95, 0.45 + 0.1 * components + (0.1 if numbered else 0.0))
        if conf < 0.5:
            continue
        taken_until = end
        yield Finding(
            s, end, "address", round(conf, 3), "admin_chain" if admin_levels else "components"
        )
