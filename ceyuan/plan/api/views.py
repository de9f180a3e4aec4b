"""Plan API: the plan, goal areas, indicators with status, observations, tasks, assignments,
work-plan items, progress reports (submit / accept / return). Same permissions as the pages:
reads are public except reports, which follow ``access``; writes go through ``services``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from ceyuan.plan import access, reports, selectors, services
from ceyuan.plan.models import (
    Assignment,
    GoalArea,
    Indicator,
    Observation,
    Plan,
    ProgressReport,
    Task,
    WorkPlanItem,
)

from .serializers import (
    AssignmentSerializer,
    GoalAreaSerializer,
    IndicatorSerializer,
    ObservationSerializer,
    PlanSerializer,
    ProgressReportSerializer,
    ReportUpdateSerializer,
    ReviewSerializer,
    TaskSerializer,
    WorkPlanItemSerializer,
)


class PlanViewSet(viewsets.ReadOnlyModelViewSet[Plan]):
    serializer_class = PlanSerializer
    queryset = Plan.objects.all()

    def get_object(self) -> Plan:
        return access.access_plan(self.request.user, self.kwargs["pk"])


class GoalAreaViewSet(viewsets.ReadOnlyModelViewSet[GoalArea]):
    serializer_class = GoalAreaSerializer
    queryset = GoalArea.objects.all()
    filterset_fields = ["plan"]


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet[Indicator]):
    """Indicators with their status and projection, computed by the plan engine."""

    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.select_related("plan")
    filterset_fields = ["plan", "goal_area", "code"]

    def get_object(self) -> Indicator:
        return access.access_indicator(self.request.user, self.kwargs["pk"])

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.action == "list" and not getattr(self, "swagger_fake_view", False):
            plan = selectors.current_plan()
            if plan is not None:
                views = selectors.indicator_views(plan, timezone.localdate())
                context["views"] = {v.indicator.pk: v for v in views}
        return context


class ObservationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Observation],
):
    serializer_class = ObservationSerializer
    queryset = Observation.objects.select_related("entered_by")
    filterset_fields = ["indicator", "source_kind", "period_year"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_object(self) -> Observation:
        return access.access_observation(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer[Observation]) -> None:
        data = dict(serializer.validated_data)
        indicator = access.access_indicator(self.request.user, data.pop("indicator").pk)
        serializer.instance = services.observation_create(
            actor=self.request.user, indicator=indicator, **data
        )


class TaskViewSet(viewsets.ReadOnlyModelViewSet[Task]):
    serializer_class = TaskSerializer
    queryset = Task.objects.prefetch_related("measures", "indicators")
    filterset_fields = ["plan", "number"]

    def get_object(self) -> Task:
        return access.access_task(self.request.user, self.kwargs["pk"])


class AssignmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Assignment],
):
    """Lead and cooperating units of tasks (public); coordinators assign."""

    serializer_class = AssignmentSerializer
    queryset = Assignment.objects.select_related("task", "unit")
    filterset_fields = ["task", "unit", "role"]

    def get_object(self) -> Assignment:
        if self.request.method in permissions.SAFE_METHODS:
            return super().get_object()
        return access.access_assignment_for_edit(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer[Assignment]) -> None:
        serializer.instance = services.assignment_set(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance: Assignment) -> None:
        services.assignment_remove(actor=self.request.user, assignment=instance)


class WorkPlanItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[WorkPlanItem],
):
    serializer_class = WorkPlanItemSerializer
    queryset = WorkPlanItem.objects.select_related("task", "owner_unit")
    filterset_fields = ["plan", "task", "owner_unit", "status", "year"]

    def get_object(self) -> WorkPlanItem:
        if self.request.method in permissions.SAFE_METHODS:
            return access.access_work_plan_item(self.request.user, self.kwargs["pk"])
        return access.access_work_plan_item_for_edit(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer[WorkPlanItem]) -> None:
        serializer.instance = services.work_plan_item_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: serializers.BaseSerializer[WorkPlanItem]) -> None:
        data = {
            k: v
            for k, v in serializer.validated_data.items()
            if k in services.ITEM_FIELDS or k == "measure"
        }
        serializer.instance = services.work_plan_item_update(
            actor=self.request.user, item=self.get_object(), **data
        )


class ProgressReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[ProgressReport],
):
    """Reports: a unit's members and coordinators see them; others only accepted ones."""

    serializer_class = ProgressReportSerializer
    filterset_fields = ["unit", "status", "period"]

    def get_queryset(self) -> QuerySet[ProgressReport]:
        if getattr(self, "swagger_fake_view", False):
            return ProgressReport.objects.none()
        return selectors.reports_visible(self.request.user).prefetch_related(
            "values", "item_statuses", "attachments"
        )

    def get_object(self) -> ProgressReport:
        return access.access_report(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer: serializers.BaseSerializer[ProgressReport]) -> None:
        plan = selectors.current_plan()
        data = serializer.validated_data
        serializer.instance = reports.report_create(
            actor=self.request.user,
            plan=plan,  # type: ignore[arg-type]
            unit=data["unit"],
            period=data["period"],
            narrative=data.get("narrative", ""),
        )

    def _respond(self, report: ProgressReport) -> Response:
        report.refresh_from_db()
        return Response(ProgressReportSerializer(report).data)

    @extend_schema(request=ReportUpdateSerializer, responses=ProgressReportSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = access.access_report_for_edit(request.user, kwargs["pk"])
        body = ReportUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        reports.report_update(
            actor=request.user,
            report=report,
            narrative=data.get("narrative"),
            item_statuses={
                i["item"]: {k: v for k, v in i.items() if k != "item"}
                for i in data.get("items", [])
            },
            values=[dict(v) for v in data["values"]] if "values" in data else None,
        )
        return self._respond(report)

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses=ProgressReportSerializer,
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attach(self, request: Request, pk: str) -> Response:
        """Attach an evidence file (multipart field ``file``) to a draft or returned report."""
        report = access.access_report_for_edit(request.user, pk)
        upload = request.FILES.get("file")
        if upload is None:
            from django.core.exceptions import ValidationError

            raise ValidationError({"file": _("Attach a file.")})
        reports.report_attach(actor=request.user, report=report, file=upload)
        return self._respond(report)

    @extend_schema(request=None, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        report = access.access_report_for_edit(request.user, pk)
        reports.report_submit(actor=request.user, report=report)
        return self._respond(report)

    @extend_schema(request=ReviewSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        report = access.access_report_for_review(request.user, pk)
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reports.report_accept(
            actor=request.user, report=report, comment=body.validated_data["comment"]
        )
        return self._respond(report)

    @extend_schema(request=ReviewSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: Request, pk: str) -> Response:
        report = access.access_report_for_review(request.user, pk)
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reports.report_return(
            actor=request.user, report=report, comment=body.validated_data["comment"]
        )
        return self._respond(report)
