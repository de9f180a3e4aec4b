from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ceyuan.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from ceyuan.accounts.permissions import can_view_audit

        from .navigation import NavItem, register

        register(NavItem("home", _("Home"), order=0))
        register(NavItem("organisation-list", _("Organisations"), order=80))
        register(NavItem("audit-list", _("Audit trail"), order=90, visible=can_view_audit))
        register(NavItem("api-docs", _("API"), order=95))
