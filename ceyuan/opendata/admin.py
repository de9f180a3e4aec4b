"""Read-only admin views of the open-data platform (writes go through the services)."""

from django.contrib import admin

from ceyuan.core.admin import ReadOnlyAdmin

from .models import (
    AccessLog,
    Application,
    Dataset,
    Grant,
    OpeningPlan,
    Resource,
    Theme,
    Zone,
    ZoneOperator,
)


@admin.register(Dataset)
class DatasetAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "title_zh",
        "publisher",
        "zone",
        "opening_level",
        "security_grade",
        "access",
        "status",
    ]
    list_filter = ["access", "status", "zone"]
    search_fields = ["name", "title_zh", "title_en"]
    readonly_fields = ["access"]


admin.site.register(
    [Zone, Theme, Resource, Application, Grant, ZoneOperator, OpeningPlan], ReadOnlyAdmin
)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "channel", "user", "dataset"]
    list_filter = ["action", "channel"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
