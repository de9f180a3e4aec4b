from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    name = "ceyuan.opendata"
    label = "opendata"
    verbose_name = _("Public data opening")

    def ready(self) -> None:
        from ceyuan.core.navigation import NavItem, register

        from . import permissions
        from .api import schema  # noqa: F401  registers the data API key auth extension

        register(NavItem("opendata:catalogue", _("Open data"), order=30))
        register(
            NavItem(
                "opendata:applications",
                _("Data applications"),
                order=31,
                visible=permissions.is_signed_in,
            )
        )
        try:  # the plan app's live-indicator registry, when it is installed
            from . import indicators

            indicators.register_with_plan()
        except ImportError:  # pragma: no cover
            pass
