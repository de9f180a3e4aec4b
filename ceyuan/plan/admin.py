"""Read-only admin views of the plan: every change goes through the services (and so the
audit trail), which the admin's save buttons would bypass."""

from __future__ import annotations

from django.contrib import admin

from ceyuan.core.admin import ReadOnlyAdmin

from .models import Indicator, Observation, Plan, ProgressReport, Task, WorkPlanItem


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "period_start", "period_end", "updated_at"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_zh", "target_qualifier", "target_value", "target_year"]
    list_filter = ["plan", "goal_area"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["number", "code", "title_zh"]


@admin.register(WorkPlanItem)
class WorkPlanItemAdmin(ReadOnlyAdmin):
    list_display = ["code", "owner_unit", "deadline", "status", "completed_on"]
    list_filter = ["status", "year"]


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "period_year", "value", "qualifier", "source_kind"]
    list_filter = ["source_kind"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["unit", "period", "status", "submitted_on"]
    list_filter = ["status"]
