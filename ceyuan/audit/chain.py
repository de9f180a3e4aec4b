"""Hash chain of audit entries: pure functions, no Django.

Each entry's hash is SHA-256 over the canonical JSON of its content and the previous entry's
hash, so editing any entry changes its hash and breaks the link to the next one, and deleting
one leaves a gap in the sequence numbers and a broken ``prev_hash``. The chain head (last
sequence number and hash) is stored apart from the entries, so cutting off the tail is found too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainedEntry:
    seq: int
    created_at: str  # ISO 8601 with offset
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: Any
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "edited", "missing", "broken_link", "truncated"
    detail: str


def entry_hash(
    *,
    seq: int,
    created_at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    prev_hash: str,
) -> str:
    payload = json.dumps(
        [seq, created_at, actor, action, object_type, object_id, object_repr, changes, prev_hash],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def verify_chain(
    entries: Iterable[ChainedEntry], *, head_seq: int, head_hash: str
) -> list[ChainProblem]:
    """Return every problem found walking ``entries`` in sequence order; empty means intact."""
    problems: list[ChainProblem] = []
    expected_seq = 1
    prev_hash = GENESIS_HASH
    for entry in entries:
        if entry.seq != expected_seq:
            problems.append(
                ChainProblem(
                    expected_seq,
                    "missing",
                    f"entries {expected_seq}..{entry.seq - 1} are missing",
                )
            )
        if entry.prev_hash != prev_hash:
            problems.append(
                ChainProblem(entry.seq, "broken_link", "prev_hash does not match the entry before")
            )
        recomputed = entry_hash(
            seq=entry.seq,
            created_at=entry.created_at,
            actor=entry.actor,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            object_repr=entry.object_repr,
            changes=entry.changes,
            prev_hash=entry.prev_hash,
        )
        if recomputed != entry.hash:
            problems.append(ChainProblem(entry.seq, "edited", "content does not match its hash"))
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
    last_seq = expected_seq - 1
    if last_seq < head_seq:
        problems.append(
            ChainProblem(
                last_seq + 1, "truncated", f"entries {last_seq + 1}..{head_seq} are missing"
            )
        )
    elif head_seq and prev_hash != head_hash:
        problems.append(
            ChainProblem(last_seq, "edited", "last entry does not match the chain head")
        )
    return problems
