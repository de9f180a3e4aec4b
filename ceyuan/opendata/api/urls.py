"""opendata API under /api/v1/opendata/."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import DefaultRouter

from .views import ApplicationViewSet, DatasetViewSet, GrantViewSet

router = DefaultRouter()
router.register("datasets", DatasetViewSet, basename="api-opendata-dataset")
router.register("applications", ApplicationViewSet, basename="api-opendata-application")
router.register("grants", GrantViewSet, basename="api-opendata-grant")

urlpatterns: list[URLPattern | URLResolver] = [path("", include(router.urls))]
