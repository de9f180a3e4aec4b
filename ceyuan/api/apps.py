from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ceyuan.api"
    label = "ceyuan_api"
    verbose_name = "API"

    def ready(self) -> None:
        from . import schema  # noqa: F401  registers the token auth extension
