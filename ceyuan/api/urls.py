"""``/api/v1/``: every app registers its viewsets here; schema and docs are served locally."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from ceyuan.accounts.api.views import (
    ApiTokenViewSet,
    MembershipViewSet,
    MeViewSet,
    OrganisationViewSet,
)
from ceyuan.audit.api.views import AuditEntryViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="api-organisation")
router.register("memberships", MembershipViewSet, basename="api-membership")
router.register("me", MeViewSet, basename="api-me")
router.register("tokens", ApiTokenViewSet, basename="api-token")
router.register("audit", AuditEntryViewSet, basename="api-audit")

urlpatterns = [
    path("", include(router.urls)),
    path("plan/", include("ceyuan.plan.api.urls")),
    path("opendata/", include("ceyuan.opendata.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
