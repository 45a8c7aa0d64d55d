"""REST authentication with `Authorization: Bearer asthub_...` API tokens (OAuth access
tokens are refused here with the reason: they are bound to /mcp)."""

from rest_framework import authentication, exceptions

from accounts.oauth_server.tokens import looks_like_oauth_access_token
from accounts.services import authenticate_token


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        if looks_like_oauth_access_token(parts[1]):
            # Decided in accounts/oauth_server/resources.py: OAuth tokens are for /mcp only.
            raise exceptions.AuthenticationFailed(
                "This is an OAuth token, issued for the MCP endpoint (/mcp) only. "
                "Use an API token (portal → API tokens) for the REST API and the CLI."
            )
        token = authenticate_token(parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid, revoked or expired token.")
        return token.owner, token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) with a challenge when credentials are missing.
        return 'Bearer realm="asthub"'
