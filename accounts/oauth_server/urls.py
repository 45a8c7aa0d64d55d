"""The authorization server's routes at the origin, where MCP clients look for them (RFC
8414 and RFC 9728 well-known documents; /authorize, /token, /register, /revoke are also the
2025-03-26 spec's defaults). Named in the toolkit's namespace, which its views reverse."""

from django.urls import path
from oauth2_provider.views import OAuthServerMetadataView, RevokeTokenView

from accounts.oauth_server import views
from accounts.oauth_server.cors import public_cors

app_name = "oauth2_provider"

resource_metadata = views.McpResourceMetadataView.as_view()

urlpatterns = [
    path(
        ".well-known/oauth-authorization-server",
        OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    path(".well-known/oauth-protected-resource", resource_metadata, name="oauth-resource-metadata"),
    path(
        ".well-known/oauth-protected-resource/mcp",
        resource_metadata,
        name="oauth-resource-metadata-mcp",
    ),
    path("authorize", views.ConsentView.as_view(), name="authorize"),
    path("token", public_cors(views.TokenEndpoint.as_view()), name="token"),
    path("revoke", public_cors(RevokeTokenView.as_view()), name="revoke-token"),
    path("register", public_cors(views.RegistrationView.as_view()), name="dcr-register"),
    path(
        "register/<str:client_id>",
        public_cors(views.RegistrationManagementView.as_view()),
        name="dcr-register-management",
    ),
]
