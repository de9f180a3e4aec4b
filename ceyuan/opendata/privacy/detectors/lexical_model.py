"""Optional evidence from a trained lexical analyser whose model ships inside its package.

The analyser is THULAC (``pip install thulac``; the segmentation and POS model, about
480 MB installed, is part of the wheel, so nothing is downloaded at run time). Its tag ``np``
marks person names, and its word boundaries tell where a word really ends. The engine does
not need it: ``lexical_model()`` returns ``None`` when the package is not installed, and the
person detector then uses its rules alone.

Invariants: the model is loaded once per process, on first use (about 6 s and 1.2 GB of
memory); ``tag`` returns character offsets into the text it was given, in order, without
overlaps. THULAC's licence allows research use; commercial use needs an agreement with
Tsinghua University (see docs/privacy-engine.md).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import io
from typing import Any, Protocol

WordTag = tuple[int, int, str]  # start, end (exclusive), tag
PERSON_TAG = "np"


class LexicalModel(Protocol):
    """Segments text into words with part-of-speech tags, as character offsets."""

    def tag(self, text: str) -> list[WordTag]: ...


class ThulacModel:
    """THULAC's joint segmentation and POS model (tag set: np person, ns place, ni organisation)."""

    def __init__(self, module: Any) -> None:
        # THULAC prints "Model loaded succeed" on stdout; keep the CLI's stdout clean.
        with contextlib.redirect_stdout(io.StringIO()):
            self._lac = module.thulac(seg_only=False)

    def tag(self, text: str) -> list[WordTag]:
        out: list[WordTag] = []
        pos = 0
        # THULAC drops spaces and splits lines, so its words are located in the original
        # text rather than counted.
        for word, tag in self._lac.cut(text):
            if not word or word.isspace():
                continue
            start = text.find(word, pos)
            if start < 0:
                continue
            out.append((start, start + len(word), tag))
            pos = start + len(word)
        return out


@functools.cache
def lexical_model() -> LexicalModel | None:
    """The installed lexical model, or ``None`` when the optional package is missing."""
    try:
        module = importlib.import_module("thulac")
    except ImportError:
        return None
    return ThulacModel(module)
