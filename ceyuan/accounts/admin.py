"""Admin for administrators. Organisations, memberships and tokens are read-only here (their
services hold the rules); user accounts stay editable, and every change made here is audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction

from ceyuan.audit.services import audit_record
from ceyuan.core.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import ApiToken, Membership, Organisation, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), ("Ceyuan", {"fields": ("language",)}))

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user,
                action="user.admin_change" if change else "user.admin_create",
                target=obj,
                changes={"fields": sorted(form.changed_data)},
            )

    def delete_model(self, request: Any, obj: User) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, action="user.admin_delete", target=obj)
            super().delete_model(request, obj)


class MembershipInline(ReadOnlyInline):
    model = Membership


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [MembershipInline]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    exclude = ["digest"]
