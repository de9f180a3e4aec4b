from __future__ import annotations

from typing import Any

from rest_framework import serializers

from ceyuan.accounts.models import Organisation
from ceyuan.plan.models import (
    OBSERVATION_QUALIFIERS,
    Assignment,
    GoalArea,
    Indicator,
    Observation,
    Plan,
    ProgressReport,
    Task,
    WorkPlanItem,
)


class PlanSerializer(serializers.ModelSerializer[Plan]):
    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "version",
            "title_zh",
            "title_en",
            "issuer_zh",
            "issuer_en",
            "period_start",
            "period_end",
            "overall_goal_zh",
            "overall_goal_en",
            "updated_at",
        ]


class GoalAreaSerializer(serializers.ModelSerializer[GoalArea]):
    class Meta:
        model = GoalArea
        fields = ["id", "plan", "number", "code", "title_zh", "title_en", "text_zh", "text_en"]


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "plan",
            "goal_area",
            "code",
            "name_zh",
            "name_en",
            "unit_zh",
            "unit_en",
            "direction",
            "kind",
            "baseline_value",
            "baseline_year",
            "target_year",
            "target_value",
            "target_lower",
            "target_upper",
            "target_qualifier",
            "target_sustained",
            "target_phrase_zh",
            "target_phrase_en",
            "definition_zh",
            "definition_en",
            "status",
        ]

    def get_status(self, indicator: Indicator) -> dict[str, Any] | None:
        view = self.context.get("views", {}).get(indicator.pk)
        if view is None:
            from django.utils import timezone

            from ceyuan.plan.selectors import indicator_view

            view = indicator_view(indicator, timezone.localdate())
        status = view.status
        if status is None:
            return {"status": "monitoring"}
        projection = status.projection
        return {
            "status": status.status.value,
            "message": {
                "code": status.message.code,
                "zh": status.message.zh,
                "en": status.message.en,
            },
            "threshold": status.threshold,
            "progress": status.progress,
            "achieved_in": status.achieved_in,
            "early": status.early,
            "projection": None
            if projection is None
            else {
                "year": projection.year,
                "value": projection.value,
                "model": projection.model.value,
                "band": [projection.band.lower, projection.band.upper],
            },
        }


class ObservationSerializer(serializers.ModelSerializer[Observation]):
    qualifier = serializers.ChoiceField(choices=OBSERVATION_QUALIFIERS, default="exact")
    entered_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = Observation
        fields = [
            "id",
            "indicator",
            "period_year",
            "period_date",
            "value",
            "qualifier",
            "lower",
            "upper",
            "source",
            "evidence",
            "source_kind",
            "computed_from",
            "report",
            "entered_by",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "period_date",
            "source_kind",
            "computed_from",
            "report",
            "entered_by",
            "created_at",
        ]


class TaskSerializer(serializers.ModelSerializer[Task]):
    measures = serializers.SerializerMethodField()
    indicators: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Task
        fields = ["id", "plan", "number", "code", "title_zh", "title_en", "measures", "indicators"]

    def get_measures(self, task: Task) -> list[dict[str, Any]]:
        return [
            {"number": m.number, "text_zh": m.text_zh, "text_en": m.text_en}
            for m in task.measures.all()
        ]


class AssignmentSerializer(serializers.ModelSerializer[Assignment]):
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())

    class Meta:
        model = Assignment
        fields = ["id", "task", "unit", "role", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators: list[Any] = []


class WorkPlanItemSerializer(serializers.ModelSerializer[WorkPlanItem]):
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all())
    owner_unit = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())

    class Meta:
        model = WorkPlanItem
        fields = [
            "id",
            "plan",
            "task",
            "measure",
            "year",
            "code",
            "milestone_text",
            "deadline",
            "owner_unit",
            "status",
            "completed_on",
            "updated_at",
        ]
        read_only_fields = ["id", "plan", "updated_at"]
        validators: list[Any] = []


class ReportValueSerializer(serializers.Serializer[Any]):
    indicator = serializers.PrimaryKeyRelatedField(queryset=Indicator.objects.all())
    period_year = serializers.IntegerField()
    value = serializers.FloatField(required=False, allow_null=True)
    qualifier = serializers.ChoiceField(choices=OBSERVATION_QUALIFIERS, default="exact")
    lower = serializers.FloatField(required=False, allow_null=True)
    upper = serializers.FloatField(required=False, allow_null=True)
    # a field named like Field.source: DRF takes declared fields off the class, so they never clash
    source = serializers.CharField(  # type: ignore[assignment]
        required=False, allow_blank=True, default=""
    )


class ReportItemSerializer(serializers.Serializer[Any]):
    item = serializers.IntegerField()
    status = serializers.ChoiceField(choices=WorkPlanItem.Status.choices)
    completed_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ProgressReportSerializer(serializers.ModelSerializer[ProgressReport]):
    unit = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    values = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "plan",
            "unit",
            "period",
            "due_on",
            "status",
            "narrative",
            "submitted_on",
            "review_comment",
            "reviewed_at",
            "values",
            "items",
            "attachments",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "plan",
            "due_on",
            "status",
            "submitted_on",
            "review_comment",
            "reviewed_at",
            "updated_at",
        ]
        validators: list[Any] = []

    def get_values(self, report: ProgressReport) -> list[dict[str, Any]]:
        return [
            {
                "indicator": v.indicator_id,
                "period_year": v.period_year,
                "value": v.value,
                "qualifier": v.qualifier,
                "lower": v.lower,
                "upper": v.upper,
                "source": v.source,
            }
            for v in report.values.all()
        ]

    def get_items(self, report: ProgressReport) -> list[dict[str, Any]]:
        return [
            {"item": r.item_id, "status": r.status, "completed_on": r.completed_on, "note": r.note}
            for r in report.item_statuses.all()
        ]

    def get_attachments(self, report: ProgressReport) -> list[dict[str, Any]]:
        return [{"id": a.pk, "name": a.name} for a in report.attachments.all()]


class ReportUpdateSerializer(serializers.Serializer[Any]):
    narrative = serializers.CharField(required=False, allow_blank=True)
    items = ReportItemSerializer(many=True, required=False)
    values = ReportValueSerializer(many=True, required=False)


class ReviewSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(required=False, allow_blank=True, default="")
