"""Chinese-aware tokenisation for catalogue search (jieba), shared by indexing and querying.

Indexing and querying must segment the same way, so both call ``tokens``. jieba's
search mode also emits the shorter words inside long compounds (北京市交通 → 北京, 北京市,
交通), which lets a query for a part of a compound match. Latin words are lower-cased.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable

_WORD = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
_ready = False
MAX_TOKEN = 64


def _jieba():  # type: ignore[no-untyped-def]
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _ready = True
    return jieba


def tokens(text: str) -> list[str]:
    """Distinct search tokens of ``text``, in first-seen order."""
    if not text:
        return []
    seen: dict[str, None] = {}
    for word in _jieba().cut_for_search(text):
        word = word.strip().lower()
        if not word or not _WORD.search(word) or len(word) > MAX_TOKEN:
            continue
        seen.setdefault(word, None)
    return list(seen)


def weighted_tokens(title: Iterable[str], body: Iterable[str]) -> dict[str, int]:
    """Tokens of the title weigh 3, those of the rest 1 (a token keeps its highest weight)."""
    weights: dict[str, int] = {}
    for text in body:
        for token in tokens(text):
            weights[token] = max(weights.get(token, 0), 1)
    for text in title:
        for token in tokens(text):
            weights[token] = 3
    return weights


def query_tokens(text: str) -> list[str]:
    """Tokens a query must all match: the finest ones. jieba's search mode emits a compound
    together with its dictionary sub-words (公交站点 → 公交, 站点, 公交站点); a document that
    says 公交线路站点 holds 公交 and 站点 but not the compound, so the compound is dropped
    from the query whenever its parts are present."""
    found = tokens(text)
    return [t for t in found if not any(o != t and o in t for o in found)]
