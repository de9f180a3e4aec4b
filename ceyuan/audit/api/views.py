"""Audit trail API: read-only, for coordinators."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import permissions, serializers, viewsets
from rest_framework.request import Request
from rest_framework.views import APIView

from ceyuan.accounts.permissions import can_view_audit
from ceyuan.audit.forms import AuditFilterForm
from ceyuan.audit.models import AuditEntry
from ceyuan.audit.selectors import audit_entries


class CanViewAudit(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return can_view_audit(request.user)


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    actor = serializers.CharField(source="actor_repr")

    class Meta:
        model = AuditEntry
        fields = [
            "seq",
            "created_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "prev_hash",
            "hash",
        ]


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet[AuditEntry]):
    """Filter with ``user``, ``object_type``, ``object_id``, ``action``, ``since``, ``until``."""

    serializer_class = AuditEntrySerializer
    permission_classes = [permissions.IsAuthenticated, CanViewAudit]
    lookup_field = "seq"
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[AuditEntry]:
        form = AuditFilterForm(self.request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(
                {name: [str(e) for e in errors] for name, errors in form.errors.items()}
            )
        return audit_entries(**form.cleaned_data)
