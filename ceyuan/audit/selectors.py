"""Reads of the audit trail."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .chain import ChainProblem, verify_chain
from .models import AuditEntry, AuditHead


def audit_entries(
    *,
    user: str = "",
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if user:
        entries = entries.filter(actor_repr=user)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if action:
        entries = entries.filter(action=action)
    tz = timezone.get_current_timezone()
    if since:
        entries = entries.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        entries = entries.filter(created_at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return entries


def audit_verify() -> list[ChainProblem]:
    head = AuditHead.objects.filter(pk=1).first()
    entries = (e.as_chained() for e in AuditEntry.objects.order_by("seq").iterator(2000))
    return verify_chain(
        entries,
        head_seq=head.seq if head else 0,
        head_hash=head.hash if head else "0" * 64,
    )


def audit_filter_choices() -> dict[str, Any]:
    return {
        "object_types": list(
            AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
        ),
        "actions": list(AuditEntry.objects.order_by().values_list("action", flat=True).distinct()),
    }
