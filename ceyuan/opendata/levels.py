"""Opening level × security grade: the one rule that decides how a dataset is reached.

Two attributes live on every dataset and are set by different people for different reasons:
the *opening level* (无条件 / 有条件 / 不予开放, a publishing decision) and the *security grade*
(一般 / 重要 / 核心, GB/T 43697-2024 data classification). Neither may loosen the other: the
stricter one always wins. ``effective_access`` is the only place that combines them.

Pure Python, no Django: the values are plain strings shared with ``models.OpeningLevel`` and
``models.SecurityGrade``.
"""

from __future__ import annotations

PUBLIC = "public"
RESTRICTED = "restricted"
NON_PUBLIC = "non_public"

GENERAL = "general"
IMPORTANT = "important"
CORE = "core"

_LEVEL_RANK = {PUBLIC: 0, RESTRICTED: 1, NON_PUBLIC: 2}
_LEVEL_BY_RANK = {rank: level for level, rank in _LEVEL_RANK.items()}
# The loosest opening each grade allows: important data is never opened unconditionally, core
# data is never opened at all (GB/T 43697-2024 §6: core data is under the strictest protection).
_GRADE_FLOOR = {GENERAL: PUBLIC, IMPORTANT: RESTRICTED, CORE: NON_PUBLIC}

# EU Publications Office access-right vocabulary, used by the DCAT export.
EU_ACCESS_RIGHTS = {
    PUBLIC: "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
    RESTRICTED: "http://publications.europa.eu/resource/authority/access-right/RESTRICTED",
    NON_PUBLIC: "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC",
}


def effective_access(opening_level: str, security_grade: str) -> str:
    """The access that applies: the stricter of the opening level and the grade's floor."""
    if opening_level not in _LEVEL_RANK:
        raise ValueError(f"unknown opening level {opening_level!r}")
    if security_grade not in _GRADE_FLOOR:
        raise ValueError(f"unknown security grade {security_grade!r}")
    rank = max(_LEVEL_RANK[opening_level], _LEVEL_RANK[_GRADE_FLOOR[security_grade]])
    return _LEVEL_BY_RANK[rank]


def is_stricter(a: str, b: str) -> bool:
    return _LEVEL_RANK[a] > _LEVEL_RANK[b]
