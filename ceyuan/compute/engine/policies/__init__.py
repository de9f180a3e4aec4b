"""Scheduling policies, registered by name (see ``base.policy``)."""

from __future__ import annotations

from . import fairness, maxmin, ordering, placement
from .base import GreedyPolicy, Policy, make_policy, policy, policy_label, registered_policies

__all__ = [
    "GreedyPolicy",
    "Policy",
    "fairness",
    "make_policy",
    "maxmin",
    "ordering",
    "placement",
    "policy",
    "policy_label",
    "registered_policies",
]
