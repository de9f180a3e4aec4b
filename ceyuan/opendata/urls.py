"""opendata pages."""

from django.urls import URLPattern, URLResolver, path

from . import views, views_releases

app_name = "opendata"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.catalogue, name="catalogue"),
    path("catalog.jsonld", views.catalogue_dcat, {"fmt": "jsonld"}, name="dcat-jsonld"),
    path("catalog.ttl", views.catalogue_dcat, {"fmt": "ttl"}, name="dcat-ttl"),
    path("datasets/new/", views.dataset_create, name="dataset-create"),
    path("datasets/<slug:name>/", views.dataset_detail, name="dataset"),
    path("datasets/<slug:name>/edit/", views.dataset_edit, name="dataset-edit"),
    path("datasets/<slug:name>/resources/new/", views.resource_create, name="resource-create"),
    path("datasets/<slug:name>/apply/", views.apply, name="apply"),
    path(
        "datasets/<slug:name>/releases/new/",
        views_releases.release_create,
        name="release-create",
    ),
    path("releases/<int:release_id>/", views_releases.release_detail, name="release"),
    path(
        "datasets/<slug:name>/statistics/new/",
        views_releases.statistic_create,
        name="statistic-create",
    ),
    path("statistics/<int:statistic_id>/", views_releases.statistic_detail, name="statistic"),
    path("datasets/<slug:name>/stats/", views.dataset_stats, name="stats"),
    path("datasets/<slug:name>/training/", views.training_card, name="training-card"),
    path("datasets/<slug:name>/training.zip", views.training_export, name="training-export"),
    path("resources/<str:ref>/download/", views.resource_download, name="download"),
    path("resources/<str:ref>/", views.resource_table, name="table"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:application_id>/", views.application_detail, name="application"),
    path("grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant-revoke"),
    path("keys/", views.api_keys, name="keys"),
    path("keys/<int:key_id>/revoke/", views.api_key_revoke, name="key-revoke"),
    path("zones/", views.zones, name="zones"),
    path("plan/", views.opening_plan, name="plan"),
    path("indicators.json", views.indicators_json, name="indicators"),
]
