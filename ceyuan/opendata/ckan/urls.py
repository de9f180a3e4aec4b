"""CKAN-compatible Action API under /api/3/action/."""

from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("action/<str:name>", views.action_view, name="ckan-action"),
]
