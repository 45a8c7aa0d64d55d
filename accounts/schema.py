"""Tell drf-spectacular how API tokens authenticate, so the schema documents it."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "asthub_...",
            "description": "An API token from the portal (API tokens) or `issue_token`.",
        }
