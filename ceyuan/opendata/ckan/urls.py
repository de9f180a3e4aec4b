"""CKAN-compatible Action API under /api/3/action/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
