"""Release policies: which transforms each opening level and security grade requires.

A policy file (YAML) looks like::

    version: 1
    name: default
    min_confidence: 0.5
    levels:
      public:                       # opening level: public | restricted | non_public
        general:                    # security grade: general | important | core
          allowed: true
          actions:                  # entity type -> transform (a name, or {name: params})
            cn_mobile: {mask: {keep_start: 3, keep_end: 4}}
            person: pseudonym
          k_anonymity: {k: 5, l: 2, max_suppression: 0.05}
        core: {allowed: false}

A grade may say ``inherit: <grade>`` to start from another grade of the same level. Any
detected type without an action is suppressed, so a policy can forget a type but never leak
it. Policies are validated when loaded; errors name the level, grade and field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ceyuan.opendata.privacy.transforms import TRANSFORMS, TransformSpec

OPENING_LEVELS = ("public", "restricted", "non_public")
SECURITY_GRADES = ("general", "important", "core")
POLICY_VERSION = 1


class PolicyError(ValueError):
    """A policy file is malformed; the message names where."""


class ReleaseBlocked(RuntimeError):
    """The policy forbids releasing data of this grade at this opening level."""


@dataclass(frozen=True, slots=True)
class KAnonymitySpec:
    k: int
    l: int = 1  # noqa: E741 - the standard name of the l-diversity parameter
    max_suppression: float = 0.05


@dataclass(frozen=True, slots=True)
class ReleaseRule:
    """What one (opening level, security grade) pair requires."""

    allowed: bool
    actions: Mapping[str, TransformSpec] = field(default_factory=dict)
    k_anonymity: KAnonymitySpec | None = None
    dp_epsilon: float | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    name: str
    version: int
    min_confidence: float
    rules: Mapping[tuple[str, str], ReleaseRule]

    def rule_for(self, opening_level: str, security_grade: str) -> ReleaseRule:
        if opening_level not in OPENING_LEVELS:
            raise PolicyError(
                f"unknown opening level {opening_level!r}; use one of {', '.join(OPENING_LEVELS)}"
            )
        if security_grade not in SECURITY_GRADES:
            raise PolicyError(
                f"unknown security grade {security_grade!r}; "
                f"use one of {', '.join(SECURITY_GRADES)}"
            )
        rule = self.rules.get((opening_level, security_grade))
        if rule is None:
            # Not mentioned: not allowed. Silence must never mean "publish".
            return ReleaseRule(allowed=False)
        return rule


def parse_transform(raw: Any, where: str) -> TransformSpec:
    if isinstance(raw, str):
        name, params = raw, {}
    elif isinstance(raw, Mapping) and "name" in raw:
        name = str(raw["name"])
        params = {k: v for k, v in raw.items() if k != "name"}
    elif isinstance(raw, Mapping) and len(raw) == 1:
        name, value = next(iter(raw.items()))
        params = dict(value or {})
    else:
        raise PolicyError(f"{where}: a transform is a name or a one-key mapping, got {raw!r}")
    if name not in TRANSFORMS:
        raise PolicyError(
            f"{where}: unknown transform {name!r}; known: {', '.join(TRANSFORMS.names())}"
        )
    return TransformSpec(str(name), params)


def _parse_rule(raw: Mapping[str, Any], where: str) -> ReleaseRule:
    unknown = set(raw) - {"allowed", "actions", "k_anonymity", "dp_epsilon", "inherit"}
    if unknown:
        raise PolicyError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    actions = {
        str(t): parse_transform(spec, f"{where}.actions.{t}")
        for t, spec in (raw.get("actions") or {}).items()
    }
    kraw = raw.get("k_anonymity")
    kspec = None
    if kraw:
        try:
            kspec = KAnonymitySpec(
                k=int(kraw["k"]),
                l=int(kraw.get("l", 1)),
                max_suppression=float(kraw.get("max_suppression", 0.05)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PolicyError(
                f"{where}.k_anonymity: needs integer k (and optional l, max_suppression): {exc}"
            ) from exc
        if kspec.k < 1 or kspec.l < 1 or not 0 <= kspec.max_suppression <= 1:
            raise PolicyError(f"{where}.k_anonymity: k, l >= 1 and 0 <= max_suppression <= 1")
    eps = raw.get("dp_epsilon")
    if eps is not None:
        try:
            eps = float(eps)
        except (TypeError, ValueError):
            eps = math.nan
        if not (eps > 0 and math.isfinite(eps)):
            raise PolicyError(
                f"{where}.dp_epsilon: must be a positive number, got {raw['dp_epsilon']!r}"
            )
    return ReleaseRule(
        allowed=bool(raw.get("allowed", True)),
        actions=actions,
        k_anonymity=kspec,
        dp_epsilon=eps,
    )


def policy_from_dict(data: Mapping[str, Any]) -> Policy:
    version = int(data.get("version", 0))
    if version != POLICY_VERSION:
        raise PolicyError(f"policy version {version} is not supported (expected {POLICY_VERSION})")
    levels = data.get("levels")
    if not isinstance(levels, Mapping):
        raise PolicyError("policy needs a 'levels' mapping")
    rules: dict[tuple[str, str], ReleaseRule] = {}
    for level, grades in levels.items():
        if level not in OPENING_LEVELS:
            raise PolicyError(
                f"levels.{level}: unknown opening level; use one of {', '.join(OPENING_LEVELS)}"
            )
        if not isinstance(grades, Mapping):
            raise PolicyError(f"levels.{level}: expected a mapping of security grades")
        for grade, raw in grades.items():
            where = f"levels.{level}.{grade}"
            if grade not in SECURITY_GRADES:
                raise PolicyError(
                    f"{where}: unknown security grade; use one of {', '.join(SECURITY_GRADES)}"
                )
            merged: dict[str, Any] = {}
            parent = raw.get("inherit") if isinstance(raw, Mapping) else None
            if parent is not None:
                if parent not in grades or parent == grade:
                    raise PolicyError(
                        f"{where}.inherit: no grade {parent!r} to inherit from in level {level}"
                    )
                merged.update(grades[parent])
                merged.pop("inherit", None)
                merged["actions"] = {
                    **(grades[parent].get("actions") or {}),
                    **(raw.get("actions") or {}),
                }
            merged.update({k: v for k, v in (raw or {}).items() if k != "actions"})
            if parent is None:
                merged["actions"] = (raw or {}).get("actions") or {}
            rules[(str(level), str(grade))] = _parse_rule(merged, where)
    return Policy(
        name=str(data.get("name", "unnamed")),
        version=version,
        min_confidence=float(data.get("min_confidence", 0.5)),
        rules=rules,
    )


def load_policy(path: str | Path) -> Policy:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot read policy: {exc}") from exc
    if not isinstance(data, Mapping):
        raise PolicyError(f"{path}: a policy file must hold a mapping")
    try:
        return policy_from_dict(data)
    except PolicyError as exc:
        raise PolicyError(f"{path}: {exc}") from exc


def default_policy() -> Policy:
    text = (
        resources.files("ceyuan.opendata.privacy")
        .joinpath("policies/default.yaml")
        .read_text(encoding="utf-8")
    )
    return policy_from_dict(yaml.safe_load(text))
