"""The one way to write an audit entry. Every service calls ``audit_record`` inside its own
transaction, so the entry and the change it describes commit or roll back together."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .chain import entry_hash
from .models import AuditEntry, AuditHead


def _actor_repr(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "system" if actor is None else "anonymous"
    return str(actor.get_username())


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. ``actor`` is a user, ``None`` for the system, or an anonymous user."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
        object_repr = object_repr or str(target)[:300]
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        seq = head.seq + 1
        created_at = timezone.now()
        actor_repr = _actor_repr(actor)
        payload = changes or {}
        digest = entry_hash(
            seq=seq,
            created_at=created_at.isoformat(),
            actor=actor_repr,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            changes=payload,
            prev_hash=head.hash,
        )
        entry = AuditEntry(
            seq=seq,
            created_at=created_at,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_repr=actor_repr,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            changes=payload,
            prev_hash=head.hash,
            hash=digest,
        )
        entry.save()
        head.seq = seq
        head.hash = digest
        head.save(update_fields=["seq", "hash"])
    return entry


def change(old: Any, new: Any) -> dict[str, Any]:
    """One value's change, as recorded in an entry: ``{"from": old, "to": new}`` (pages show
    “old → new”; entries before 2026-11-28 recorded ``[old, new]``)."""
    return {"from": old, "to": new}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Field-level changes as ``{field: change(old, new)}`` for the fields that differ."""
    return {
        key: change(before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
