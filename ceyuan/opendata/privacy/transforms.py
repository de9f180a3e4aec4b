"""De-identification transforms and their registry.

Every transform has one signature: ``(value, context) -> TransformOutcome``. The value is a
cell or a detected span of text; the context carries the release key, the entity type and
the transform's parameters. ``redact_text`` applies transforms to the findings in free text.

Invariants (tested with hypothesis):
- keyed outputs (hash, pseudonym) depend only on (key, entity type, value): consistent within a
  release, unlinkable across releases that use different keys;
- outputs contain no ASCII digits where they replace text, so re-scanning redacted text finds
  nothing new and redaction is idempotent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ceyuan.opendata.privacy.detectors.base import scan_text
from ceyuan.opendata.privacy.detectors.places import CITY, DISTRICT, PROVINCE, generalize_address
from ceyuan.opendata.privacy.findings import Finding
from ceyuan.opendata.privacy.registry import Registry

# Letters only: a keyed code made of them can never look like a number to a detector.
_CODE_ALPHABET = "bcdfghjklmnpqrst"

TYPE_LABELS: Mapping[str, str] = {
    "cn_resident_id": "身份证号",
    "cn_mobile": "手机号",
    "cn_landline": "电话",
    "bank_card": "银行卡号",
    "email": "邮箱",
    "cn_license_plate": "车牌",
    "cn_uscc": "信用代码",
    "cn_passport": "护照号",
    "cn_travel_permit": "通行证号",
    "ip_address": "IP地址",
    "geo_coordinates": "坐标",
    "person": "姓名",
    "address": "地址",
}


@dataclass(frozen=True, slots=True)
class TransformContext:
    """What a transform may use besides the value: key, type, column and parameters."""

    key: bytes
    release_id: str = ""
    entity_type: str = ""
    column: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def with_(self, **changes: Any) -> TransformContext:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class TransformOutcome:
    """The new value (None: suppressed) and the findings the transform acted on."""

    value: str | None
    findings: tuple[Finding, ...] = ()


TransformFn = Callable[[str, TransformContext], TransformOutcome]


@dataclass(frozen=True, slots=True)
class TransformSpec:
    """A transform name with its parameters, as written in a policy."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {self.name: dict(self.params)} if self.params else {"name": self.name}


TRANSFORMS: Registry[TransformFn] = Registry("transform")


def transform(name: str) -> Callable[[TransformFn], TransformFn]:
    return TRANSFORMS.register(name)


def label_for(entity_type: str) -> str:
    return TYPE_LABELS.get(entity_type, entity_type or "值")


def keyed_code(key: bytes, entity_type: str, value: str, length: int) -> str:
    """HMAC-SHA256 of (type, value) under ``key``, written in a digit-free alphabet."""
    digest = hmac.new(key, f"{entity_type}\x1f{value}".encode(), hashlib.sha256).hexdigest()
    return "".join(_CODE_ALPHABET[int(c, 16)] for c in digest[:length])


def _normalise(value: str) -> str:
    return re.sub(r"[\s\-·•]", "", value).upper()


@transform("mask")
def mask(value: str, ctx: TransformContext) -> TransformOutcome:
    """Replace all but ``keep_start``/``keep_end`` characters with ``char`` (default ``*``)."""
    keep_start = int(ctx.params.get("keep_start", 0))
    keep_end = int(ctx.params.get("keep_end", 0))
    char = str(ctx.params.get("char", "*"))
    n = len(value)
    if keep_start + keep_end >= n:
        # Never return a value unchanged: keep at most half of it.
        keep_start, keep_end = min(keep_start, n // 4), min(keep_end, n // 4)
    middle = char * (n - keep_start - keep_end)
    return TransformOutcome(value[:keep_start] + middle + value[n - keep_end :])


@transform("hash")
def keyed_hash(value: str, ctx: TransformContext) -> TransformOutcome:
    """Keyed hash (HMAC-SHA256) of the normalised value, ``length`` code letters."""
    length = int(ctx.params.get("length", 16))
    return TransformOutcome(keyed_code(ctx.key, ctx.entity_type, _normalise(value), length))


@transform("pseudonym")
def pseudonym(value: str, ctx: TransformContext) -> TransformOutcome:
    """A stable stand-in such as ``〔姓名·bkdfgh〕``: same value and key, same pseudonym."""
    length = int(ctx.params.get("length", 6))
    code = keyed_code(ctx.key, ctx.entity_type, _normalise(value), length)
    return TransformOutcome(f"〔{label_for(ctx.entity_type)}·{code}〕")


@transform("suppress")
def suppress(value: str, ctx: TransformContext) -> TransformOutcome:
    """Remove the value (a table cell becomes empty; text gets a type label)."""
    return TransformOutcome(None)


@transform("keep")
def keep(value: str, ctx: TransformContext) -> TransformOutcome:
    """Leave the value as it is (allowed for restricted releases by policy)."""
    return TransformOutcome(value)


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?")
_LEVELS = {"province": PROVINCE, "city": CITY, "district": DISTRICT}


def _generalize_age(value: str, width: int) -> str:
    try:
        age = int(float(value))
    except ValueError:
        return "*"
    if age < 0:
        return "*"
    low = age // width * width
    return f"{low}-{low + width - 1}"


def _generalize_date(value: str, level: str) -> str:
    m = _DATE_RE.search(value)
    if not m:
        return "*"
    year, month = int(m.group(1)), int(m.group(2))
    if level == "year" or not 1 <= month <= 12:
        return f"{year:04d}"
    return f"{year:04d}-{month:02d}"


def _generalize_address(value: str, level: str) -> str:
    for lv in range(_LEVELS.get(level, DISTRICT), 0, -1):
        cut = generalize_address(value, lv)
        if cut:
            return cut
    return "*"


@transform("generalize")
def generalize(value: str, ctx: TransformContext) -> TransformOutcome:
    """Coarsen a value: ``kind`` is age, date, address, coordinates or prefix.

    Parameters: age ``width`` (years per band, default 10); date ``level`` month|year;
    address ``level`` district|city|province; coordinates ``decimals`` (default 2, ~1 km);
    prefix ``keep`` characters. Values that cannot be parsed become ``*``.
    """
    kind = str(ctx.params.get("kind") or _DEFAULT_KIND.get(ctx.entity_type, "prefix"))
    if kind == "age":
        out = _generalize_age(value, int(ctx.params.get("width", 10)))
    elif kind == "date":
        out = _generalize_date(value, str(ctx.params.get("level", "month")))
    elif kind == "address":
        out = _generalize_address(value, str(ctx.params.get("level", "district")))
    elif kind == "coordinates":
        decimals = int(ctx.params.get("decimals", 2))
        nums = re.findall(r"[-+]?\d+\.\d+", value)
        out = ",".join(f"{float(x):.{decimals}f}" for x in nums) if nums else "*"
    elif kind == "prefix":
        keep_n = int(ctx.params.get("keep", 2))
        out = value[:keep_n] + "*" if len(value) > keep_n else "*"
    else:
        raise ValueError(f"unknown generalisation kind {kind!r}")
    return TransformOutcome(out)


_DEFAULT_KIND = {"address": "address", "geo_coordinates": "coordinates"}


def apply_transform(spec: TransformSpec, value: str, ctx: TransformContext) -> TransformOutcome:
    """Run the transform named by ``spec`` with its parameters."""
    fn = TRANSFORMS.get(spec.name)
    return fn(value, ctx.with_(params=dict(spec.params)))


def _text_replacement(outcome: TransformOutcome, entity_type: str) -> str:
    if outcome.value is None:
        return f"〔{label_for(entity_type)}〕"
    # Digits left in a replacement (e.g. a mask keeping the last four) are kept only if the
    # replacement as a whole is no longer detected; see redact_text.
    return outcome.value


def _redact_once(
    text: str,
    found: Sequence[Finding],
    actions: Mapping[str, TransformSpec],
    ctx: TransformContext,
    min_confidence: float,
) -> str:
    parts: list[str] = []
    pos = 0
    for f in found:
        spec = actions.get(f.type, TransformSpec("suppress"))
        outcome = apply_transform(spec, text[f.start : f.end], ctx.with_(entity_type=f.type))
        replacement = _text_replacement(outcome, f.type)
        if spec.name != "keep" and scan_text(replacement, [f.type], min_confidence=min_confidence):
            replacement = f"〔{label_for(f.type)}〕"
        parts.append(text[pos : f.start])
        parts.append(replacement)
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)


_MAX_PASSES = 4


def redact_text(
    text: str,
    actions: Mapping[str, TransformSpec],
    ctx: TransformContext,
    *,
    types: Sequence[str] | None = None,
    min_confidence: float = 0.5,
    findings: Sequence[Finding] | None = None,
) -> tuple[str, list[Finding]]:
    """Apply ``actions[type]`` to every finding in ``text``.

    Returns the new text and the findings acted on (offsets in the *original* text). Types
    without an action are suppressed: nothing detected is ever left as it was unless the
    policy says ``keep``. A replacement can join its neighbours into something detectable
    (``<hash>`` + ``@example.com``), so the result is rescanned and redacted again until
    nothing changes; this makes redaction idempotent.
    """
    found = (
        list(findings)
        if findings is not None
        else scan_text(text, types, min_confidence=min_confidence)
    )
    if not found:
        return text, []
    out = _redact_once(text, found, actions, ctx, min_confidence)
    for _ in range(_MAX_PASSES):
        again = scan_text(out, types, min_confidence=min_confidence)
        if not again:
            break
        nxt = _redact_once(out, again, actions, ctx, min_confidence)
        if nxt == out:
            break
        out = nxt
    return out, found


def now_utc() -> dt.datetime:
    """The default clock; callers inject their own where time matters."""
    return dt.datetime.now(dt.UTC)
