"""Every message has a Simplified Chinese translation with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

CATALOGUES = sorted(Path(__file__).resolve().parents[2].glob("**/locale/zh_Hans/LC_MESSAGES/*.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|\{(\w*)\}")


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.parent.parent.parent.parent.name))
def test_catalogue_is_complete_and_placeholders_match(path: Path) -> None:
    problems = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        if not all(texts):
            problems.append(f"untranslated: {entry.msgid!r}")
            continue
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        for text in texts:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {entry.msgid!r} → {text!r}")
    assert not problems, "\n".join(problems)


def test_there_are_catalogues() -> None:
    assert len(CATALOGUES) >= 3


def test_a_message_reads_the_same_in_every_catalogue() -> None:
    """Django merges the catalogues and the first one that has a message wins (the project's,
    then the apps in INSTALLED_APPS order), so a message id translated differently in two
    apps shows one app's wording on the other's pages ("submitted" read 提交时间, "submission
    time", on a report's status). A different meaning needs its own message id."""
    seen: dict[tuple[str | None, str], dict[str, str]] = {}
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and entry.msgstr:
                key = (entry.msgctxt, entry.msgid)
                seen.setdefault(key, {})[str(path.parents[3].name)] = entry.msgstr
    clashes = {key: by for key, by in seen.items() if len(set(by.values())) > 1}
    assert not clashes, "\n".join(f"{key[1]!r}: {by}" for key, by in clashes.items())
