"""Chinese administrative divisions, used by the address detector and the generaliser.

The lexicon is the adcode table shipped inside the ``cpca`` wheel (no download at run time).
Each name is indexed in its full form (``浙江省``, ``宁波市``, ``江东区``) and, for
provinces and prefecture cities, in its common short form (``浙江``, ``宁波``), because
addresses are often written that way.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from importlib import resources

import ahocorasick

PROVINCE, CITY, DISTRICT = 1, 2, 3

_PROV_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")
_CITY_SUFFIXES = ("自治州", "地区", "盟", "市")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    level: int
    adcode: str


@dataclass(frozen=True, slots=True)
class PlaceMatch:
    start: int
    end: int
    place: Place


def _short_form(name: str, suffixes: tuple[str, ...]) -> str | None:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@functools.cache
def places() -> tuple[Place, ...]:
    raw = resources.files("cpca").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")
    out: list[Place] = []
    for row in csv.DictReader(io.StringIO(raw)):
        code = row["adcode"]
        if code[2:6] == "0000":
            level = PROVINCE
        elif code[4:6] == "00":
            level = CITY
        else:
            level = DISTRICT
        if row["name"] in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        out.append(Place(row["name"], level, code[:6]))
    return tuple(out)


@functools.cache
def _automaton() -> ahocorasick.Automaton:
    index: dict[str, Place] = {}
    for p in places():
        # Keep the coarsest level for a name shared by several divisions.
        if p.name not in index or index[p.name].level > p.level:
            index[p.name] = p
        short = None
        if p.level == PROVINCE:
            short = _short_form(p.name, _PROV_SUFFIXES)
        elif p.level == CITY:
            short = _short_form(p.name, _CITY_SUFFIXES)
        if short and short not in index:
            index[short] = p
    auto = ahocorasick.Automaton()
    for name, place in index.items():
        auto.add_word(name, (name, place))
    auto.make_automaton()
    return auto


def find_places(text: str) -> list[PlaceMatch]:
    """All non-overlapping longest-first matches of division names in ``text``."""
    if not text:
        return []
    raw = [
        PlaceMatch(end + 1 - len(name), end + 1, place)
        for end, (name, place) in _automaton().iter(text)
    ]
    raw.sort(key=lambda m: (m.start, -(m.end - m.start)))
    out: list[PlaceMatch] = []
    last_end = -1
    for m in raw:
        if m.start >= last_end:
            out.append(m)
            last_end = m.end
    return out


_COUNTY_SUFFIX = re.compile(r"^[\u4e00-\u9fff]{1,6}?(?:区|县|旗|市)")


@functools.cache
def _by_adcode() -> dict[str, Place]:
    return {p.adcode: p for p in places()}


def _ancestor_name(place: Place, level: int) -> str | None:
    code = place.adcode[:2] + "0000" if level == PROVINCE else place.adcode[:4] + "00"
    parent = _by_adcode().get(code)
    return parent.name if parent else None


def generalize_address(text: str, level: int) -> str | None:
    """The address cut to its administrative prefix at ``level`` (PROVINCE, CITY, DISTRICT).

    Municipalities (北京市) have no city level of their own, so they stand in for it. When the
    address starts below ``level`` (e.g. with a city, asked for the province) the parent
    division is looked up by its adcode. Returns None when no division is recognised.
    """
    pos = 0
    chain: list[PlaceMatch] = []
    for m in find_places(text):
        if m.start != pos:
            break
        chain.append(m)
        pos = m.end
    if not chain:
        return None
    cut: int | None = None
    for m in chain:
        if m.place.level <= level:
            cut = m.end
    if cut is not None and (chain[-1].place.level >= level or level != DISTRICT):
        finer = [m for m in chain if m.place.level > level]
        if level == DISTRICT or finer or chain[-1].place.level == level or cut == pos:
            return text[:cut] if chain[-1].place.level >= level or level < DISTRICT else None
    if level == DISTRICT:
        m2 = _COUNTY_SUFFIX.match(text[pos:])
        if m2 and chain[-1].place.level >= CITY:
            return text[: pos + m2.end()]
        return text[:pos] if chain[-1].place.level >= DISTRICT else None
    if cut is None:
        return _ancestor_name(chain[0].place, level)
    return text[:cut]
