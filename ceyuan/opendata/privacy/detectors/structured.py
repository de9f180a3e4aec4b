"""Detectors for structured Chinese identifiers, validated by their standards.

Each detector finds candidates with a regular expression bounded so that it cannot match
inside a longer run of digits or letters, then validates the candidate (check digit, date,
numeric range). A candidate that fails validation is *not* reported: an 18-digit number
with a wrong GB 11643 check digit is not a resident ID.

Standards used:
- resident ID: GB 11643-1999, ISO 7064 MOD 11-2 check character, valid birth date;
- unified social credit code: GB 32100-2015, MOD 31 check character;
- bank card: ISO/IEC 7812 issuer prefix and Luhn check;
- licence plates: GA 36-2018 (ordinary and new-energy plates);
- passports and travel permits: formats of the documents issued by the NIA.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Iterator

from ceyuan.opendata.privacy.detectors.base import detector
from ceyuan.opendata.privacy.findings import Finding

_ND = r"(?<![0-9０-９])"  # not preceded by a digit
_NDA = r"(?<![0-9A-Za-z])"
_ND_END = r"(?![0-9０-９])"
_NDA_END = r"(?![0-9A-Za-z])"


def _near(text: str, start: int, end: int, words: tuple[str, ...], window: int = 12) -> bool:
    ctx = text[max(0, start - window) : start] + " " + text[end : end + window]
    ctx = ctx.lower()
    return any(w in ctx for w in words)


# --- resident identity card (GB 11643-1999) -------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(
    _NDA + r"([1-8][0-9]{5}(?:18|19|20)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx])" + _NDA_END
)


def resident_id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def _valid_birth_date(digits8: str) -> bool:
    try:
        born = dt.date(int(digits8[:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        return False
    return 1880 <= born.year <= 2099


def is_valid_resident_id(value: str) -> bool:
    """True when ``value`` is an 18-character ID with a valid date and check character."""
    if len(value) != 18 or not value[:17].isdigit() or value[0] == "0":
        return False
    if not _valid_birth_date(value[6:14]):
        return False
    return resident_id_check_char(value[:17]) == value[17].upper()


@detector("cn_resident_id", description="Resident identity card number (GB 11643-1999)")
def detect_resident_id(text: str) -> Iterator[Finding]:
    for m in _ID_RE.finditer(text):
        if is_valid_resident_id(m.group(1)):
            yield Finding(m.start(1), m.end(1), "cn_resident_id", 0.99, "gb11643_checksum")


# --- phone numbers ---------------------------------------------------------------------

_MOBILE_RE = re.compile(
    _ND + r"((?:(?:\+|00)?86[-\s]?)?1[3-9][0-9](?:[-\s]?[0-9]{4}){2})" + _ND_END
)
# Area codes: 010, 02x, 03xx-09xx; subscriber numbers of 7 or 8 digits not starting with 0/1.
_LANDLINE_RE = re.compile(
    _ND
    + r"((?:(?:\+86[-\s]?)?(?:\(0?(?:10|2[0-9]|[3-9][0-9]{2})\)|（0?(?:10|2[0-9]|[3-9][0-9]{2})）"
    r"|0(?:10|2[0-9]|[3-9][0-9]{2}))[-\s]?)[2-9][0-9]{6,7}(?:-[0-9]{1,5})?)" + _ND_END
)
_PHONE_WORDS = (
    "电话",
    "手机",
    "联系",
    "tel",
    "phone",
    "致电",
    "热线",
    "拨打",
    "号码",
    "座机",
    "传真",
    "fax",
)


@detector("cn_mobile", description="Mainland mobile number, optional +86")
def detect_mobile(text: str) -> Iterator[Finding]:
    for m in _MOBILE_RE.finditer(text):
        yield Finding(m.start(1), m.end(1), "cn_mobile", 0.95, "mobile_pattern")


@detector("cn_landline", description="Mainland landline number with area code")
def detect_landline(text: str) -> Iterator[Finding]:
    for m in _LANDLINE_RE.finditer(text):
        raw = m.group(1)
        separated = any(c in raw for c in "-（() ")
        conf = 0.9 if separated or _near(text, m.start(1), m.end(1), _PHONE_WORDS) else 0.6
        yield Finding(m.start(1), m.end(1), "cn_landline", conf, "landline_pattern")


# --- bank cards (Luhn) -----------------------------------------------------------------

_CARD_RE = re.compile(_ND + r"([2-6][0-9]{3}(?:[\s-]?[0-9]{4}){2}[\s-]?[0-9]{3,7})" + _ND_END)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _card_prefix_ok(d: str) -> bool:
    n = len(d)
    if d.startswith("62") or d.startswith("60"):
        return 16 <= n <= 19  # UnionPay and domestic debit cards
    if d.startswith("4"):
        return n in (13, 16, 19)  # Visa
    if d[:2] in ("51", "52", "53", "54", "55") or 2221 <= int(d[:4]) <= 2720:
        return n == 16  # Mastercard
    if d[:2] in ("34", "37"):
        return n == 15  # American Express
    if d.startswith("35"):
        return 16 <= n <= 19  # JCB
    if d.startswith("6011") or d.startswith("65"):
        return 16 <= n <= 19  # Discover
    return False


def _looks_like_resident_id(d: str) -> bool:
    """ID-shaped: 17 digits, a digit or X, and a plausible birth date, whatever the check."""
    return (
        len(d) == 18
        and d[:17].isdigit()
        and d[17] in "0123456789Xx"
        and d[0] != "0"
        and _valid_birth_date(d[6:14])
    )


@detector("bank_card", description="Payment card number (issuer prefix and Luhn check)")
def detect_bank_card(text: str) -> Iterator[Finding]:
    for m in _CARD_RE.finditer(text):
        d = re.sub(r"[\s-]", "", m.group(1))
        if not 13 <= len(d) <= 19 or not _card_prefix_ok(d) or not luhn_valid(d):
            continue
        if _looks_like_resident_id(d):
            continue  # an ID-shaped number with a bad ID check digit is not a card either
        yield Finding(m.start(1), m.end(1), "bank_card", 0.95, "luhn_iin")


# --- e-mail ------------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24})(?![A-Za-z0-9-])"
)


@detector("email", description="E-mail address")
def detect_email(text: str) -> Iterator[Finding]:
    for m in _EMAIL_RE.finditer(text):
        yield Finding(m.start(1), m.end(1), "email", 0.98, "email_pattern")


# --- licence plates (GA 36-2018) -------------------------------------------------------

_PROV = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Z"  # letters used on plates: no I, no O
_PLATE_RE = re.compile(
    r"("
    rf"[{_PROV}][{_L}][·•\s-]?"
    rf"(?:[DABCEFGHJK][{_L}0-9][0-9]{{4}}"  # new-energy small car: D/F/... then 5
    rf"|[0-9]{{5}}[DABCEFGHJK]"  # new-energy large vehicle
    rf"|[{_L}0-9]{{4}}[挂学警港澳领试超]"
    rf"|[{_L}0-9]{{5}})"
    r")(?![A-Za-z0-9])"
)


@detector("cn_license_plate", description="Motor vehicle licence plate (GA 36-2018)")
def detect_plate(text: str) -> Iterator[Finding]:
    for m in _PLATE_RE.finditer(text):
        body = re.sub(r"[·•\s-]", "", m.group(1))[2:]
        # All-letter plate bodies are not issued; they are usually English words.
        if sum(c.isdigit() for c in body) < 1:
            continue
        yield Finding(m.start(1), m.end(1), "cn_license_plate", 0.9, "ga36_plate")


# --- unified social credit code (GB 32100-2015) --------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(
    _NDA
    + r"([1-9ANY][0-9A-HJ-NPQRTUWXY][0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}[0-9A-HJ-NPQRTUWXY])"
    + _NDA_END
)


# Province-level administrative codes (GB/T 2260), the first two digits of the region part.
_PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    if len(value) != 18 or any(c not in USCC_ALPHABET for c in value):
        return False
    return uscc_check_char(value[:17]) == value[17]


@detector("cn_uscc", description="Unified social credit code (GB 32100-2015)")
def detect_uscc(text: str) -> Iterator[Finding]:
    for m in _USCC_RE.finditer(text):
        v = m.group(1)
        if not is_valid_uscc(v) or _looks_like_resident_id(v) or v[2:4] not in _PROVINCE_CODES:
            continue
        # An all-digit code that also passes Luhn is more often a card: let the card win.
        conf = 0.97 if not v.isdigit() else 0.9
        yield Finding(m.start(1), m.end(1), "cn_uscc", conf, "gb32100_checksum")


# --- passports and travel permits ------------------------------------------------------

_PASSPORT_RE = re.compile(_NDA + r"((?:E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|[GDSP][0-9]{8}))" + _NDA_END)
_PERMIT_RE = re.compile(
    _NDA
    + r"((?:C[0-9]{8}|C[A-HJ-NP-Z][0-9]{7}|[HM][0-9]{8}(?:[0-9]{2})?|L[0-9]{8}|T[0-9]{8}))"
    + _NDA_END
)
_DOC_WORDS = (
    "护照",
    "passport",
    "证件",
    "通行证",
    "回乡证",
    "台胞证",
    "证号",
    "签证",
    "出入境",
    "证件号",
)


@detector("cn_passport", description="PRC passport number")
def detect_passport(text: str) -> Iterator[Finding]:
    for m in _PASSPORT_RE.finditer(text):
        conf = 0.95 if _near(text, m.start(1), m.end(1), _DOC_WORDS, 16) else 0.7
        yield Finding(m.start(1), m.end(1), "cn_passport", conf, "passport_pattern")


@detector("cn_travel_permit", description="Hong Kong / Macau / Taiwan travel permit number")
def detect_travel_permit(text: str) -> Iterator[Finding]:
    for m in _PERMIT_RE.finditer(text):
        conf = 0.95 if _near(text, m.start(1), m.end(1), _DOC_WORDS, 16) else 0.6
        yield Finding(m.start(1), m.end(1), "cn_travel_permit", conf, "permit_pattern")


# --- IP addresses --------------------------------------------------------------------------

_IPV4_RE = re.compile(r"(?<![0-9.])((?:[0-9]{1,3}\.){3}[0-9]{1,3})(?![0-9]|\.[0-9])")
_IPV6_RE = re.compile(
    r"(?<![0-9A-Fa-f:])([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:%[0-9A-Za-z]+)?)(?![0-9A-Fa-f:])"
)


@detector("ip_address", description="IPv4 or IPv6 address")
def detect_ip(text: str) -> Iterator[Finding]:
    for m in _IPV4_RE.finditer(text):
        try:
            ipaddress.IPv4Address(m.group(1))
        except ValueError:
            continue
        yield Finding(m.start(1), m.end(1), "ip_address", 0.9, "ipv4")
    for m in _IPV6_RE.finditer(text):
        v = m.group(1)
        if v.count(":") < 2 or sum(c.isalnum() for c in v) < 3:
            continue
        try:
            ipaddress.IPv6Address(v)
        except ValueError:
            continue
        yield Finding(m.start(1), m.end(1), "ip_address", 0.9, "ipv6")


# --- geographic coordinates ------------------------------------------------------------

_DEC = r"[-+]?[0-9]{1,3}\.[0-9]{4,}"
_COORD_PAIR_RE = re.compile(r"(?<![0-9.])(" + _DEC + r")\s*[,，]\s*(" + _DEC + r")(?![0-9])")
_COORD_LABEL_RE = re.compile(
    r"((?:北纬|南纬|东经|西经|[NSEW]|lat|lon|lng|纬度|经度)\s*[:：]?\s*[0-9]{1,3}\.[0-9]{4,}°?"
    r"\s*[,，、\s]\s*(?:北纬|南纬|东经|西经|[NSEW]|lat|lon|lng|纬度|经度)\s*[:：]?\s*[0-9]{1,3}\.[0-9]{4,}°?)",
    re.IGNORECASE,
)
_DMS = r"[0-9]{1,3}°\s*[0-9]{1,2}[′']\s*[0-9]{1,2}(?:\.[0-9]+)?(?:″|\"|'')\s*[NSEW]?"
_COORD_DMS_RE = re.compile(
    r"((?:北纬|南纬|东经|西经)?\s*"
    + _DMS
    + r"\s*[,，、\s]\s*(?:北纬|南纬|东经|西经)?\s*"
    + _DMS
    + ")"
)


@detector(
    "geo_coordinates", description="Precise latitude/longitude (>= 4 decimals, or DMS seconds)"
)
def detect_coordinates(text: str) -> Iterator[Finding]:
    for m in _COORD_PAIR_RE.finditer(text):
        a, b = float(m.group(1)), float(m.group(2))
        if (abs(a) <= 90 and abs(b) <= 180) or (abs(b) <= 90 and abs(a) <= 180):
            yield Finding(m.start(), m.end(), "geo_coordinates", 0.85, "decimal_pair")
    for m in _COORD_LABEL_RE.finditer(text):
        yield Finding(m.start(1), m.end(1), "geo_coordinates", 0.95, "labelled_decimal")
    for m in _COORD_DMS_RE.finditer(text):
        s = m.group(1)
        lead = len(s) - len(s.lstrip())
        yield Finding(m.start(1) + lead, m.end(1), "geo_coordinates", 0.95, "dms")
