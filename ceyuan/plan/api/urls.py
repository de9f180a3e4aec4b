"""plan API under /api/v1/plan/."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from .views import (
    AssignmentViewSet,
    GoalAreaViewSet,
    IndicatorViewSet,
    ObservationViewSet,
    PlanViewSet,
    ProgressReportViewSet,
    TaskViewSet,
    WorkPlanItemViewSet,
)

router = DefaultRouter()
router.register("plans", PlanViewSet, basename="api-plan")
router.register("goal-areas", GoalAreaViewSet, basename="api-plan-goal-area")
router.register("indicators", IndicatorViewSet, basename="api-plan-indicator")
router.register("observations", ObservationViewSet, basename="api-plan-observation")
router.register("tasks", TaskViewSet, basename="api-plan-task")
router.register("assignments", AssignmentViewSet, basename="api-plan-assignment")
router.register("work-plan-items", WorkPlanItemViewSet, basename="api-plan-work-item")
router.register("reports", ProgressReportViewSet, basename="api-plan-report")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
