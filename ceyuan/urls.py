from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.static import serve

from ceyuan.accounts import views as account_views
from ceyuan.audit import views as audit_views
from ceyuan.core import views as core_views

handler403 = "ceyuan.core.views.error_403"
handler404 = "ceyuan.core.views.error_404"
handler500 = "ceyuan.core.views.error_500"

account_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", account_views.profile, name="profile"),
    path("password/change/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        account_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("tokens/", account_views.token_list, name="token-list"),
    path("tokens/<int:token_id>/revoke/", account_views.token_revoke, name="token-revoke"),
]

organisation_patterns = [
    path("", account_views.organisation_list, name="organisation-list"),
    path("new/", account_views.organisation_create, name="organisation-create"),
    path("<int:organisation_id>/", account_views.organisation_detail, name="organisation-detail"),
    path("<int:organisation_id>/edit/", account_views.organisation_edit, name="organisation-edit"),
    path(
        "<int:organisation_id>/members/add/",
        account_views.membership_add,
        name="membership-add",
    ),
    path(
        "memberships/<int:membership_id>/remove/",
        account_views.membership_remove,
        name="membership-remove",
    ),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/language/", core_views.language_switch, name="language-switch"),
    path("accounts/", include(account_patterns)),
    path("organisations/", include(organisation_patterns)),
    path("audit/", audit_views.audit_list, name="audit-list"),
    path("audit/export.csv", audit_views.audit_export, name="audit-export"),
    path("plan/", include("ceyuan.plan.urls")),
    path("data/", include("ceyuan.opendata.urls")),
    path("api/v1/", include("ceyuan.api.urls")),
    path("api/3/", include("ceyuan.opendata.ckan.urls")),
    # CKAN answers on both /api/3/action/ and /api/action/; clients default to the latter.
    path("api/", include("ceyuan.opendata.ckan.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    # Uploaded files in development; production serves MEDIA_ROOT from the reverse proxy.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]
