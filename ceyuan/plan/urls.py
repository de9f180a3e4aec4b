"""Plan pages, mounted at /plan/."""

from django.urls import URLPattern, URLResolver, path

from . import views, views_io, views_reports

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.overview, name="plan-overview"),
    path("indicators/<int:indicator_id>/", views.indicator_detail, name="plan-indicator"),
    path("tasks/<int:task_id>/", views.task_detail, name="plan-task"),
    path("tasks/<int:task_id>/assign/", views.assignment_set, name="plan-assignment-set"),
    path("tasks/<int:task_id>/items/new/", views.item_create, name="plan-item-create"),
    path("tasks/<int:task_id>/risks/new/", views.risk_raise, name="plan-risk-raise"),
    path(
        "assignments/<int:assignment_id>/remove/",
        views.assignment_remove,
        name="plan-assignment-remove",
    ),
    path(
        "milestones/<int:milestone_id>/complete/",
        views.milestone_complete,
        name="plan-milestone-complete",
    ),
    path("items/<int:item_id>/status/", views.item_status, name="plan-item-status"),
    path("risks/<int:flag_id>/resolve/", views.risk_resolve, name="plan-risk-resolve"),
    path("units/", views.unit_list, name="plan-units"),
    path("units/<int:unit_id>/", views.unit_detail, name="plan-unit"),
    path("timeline/", views.timeline, name="plan-timeline"),
    path("reports/", views_reports.report_list, name="plan-reports"),
    path("reports/<int:report_id>/", views_reports.report_detail, name="plan-report"),
    path("reports/<int:report_id>/submit/", views_reports.report_submit, name="plan-report-submit"),
    path("reports/<int:report_id>/review/", views_reports.report_review, name="plan-report-review"),
    path(
        "attachments/<int:attachment_id>/",
        views_reports.attachment_download,
        name="plan-attachment",
    ),
    path("review/", views_reports.review_queue, name="plan-review"),
    path("import/", views_io.import_sheet, name="plan-import"),
    path("export.xlsx", views_io.export_status, name="plan-export"),
    path("annual-report/<int:year>.pdf", views_io.annual_report, name="plan-annual-report"),
]
