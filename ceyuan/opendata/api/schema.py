"""OpenAPI description of the data API key authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class DataApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "ceyuan.opendata.auth.DataApiKeyAuthentication"
    name = "DataApiKey"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Data API key (od_…), created at /data/keys/; rate-limited per minute.",
        }
