"""Bearer-token authentication for MCP: the same API tokens as REST, checked per request.

The SDK's middleware calls `verify_token` before any MCP message is read, answers 401 with
`WWW-Authenticate` when it returns None, and hands the AccessToken to tools through
`get_access_token()`. The token's user is its subject; nothing in a tool's arguments can
name another user.
"""

from django.conf import settings
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings

from accounts.services import authenticate_token
from mcp_gateway.db import run_in_db_thread

MCP_PATH = "/mcp"


def resource_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}{MCP_PATH}"


def auth_settings() -> AuthSettings:
    # The hub issues its own tokens (portal, REST); it is the authorization server.
    return AuthSettings(
        issuer_url=settings.PUBLIC_BASE_URL,
        resource_server_url=resource_url(),
        service_documentation_url=f"{settings.PUBLIC_BASE_URL}/api/docs/",
        required_scopes=[],
        # Hub tokens are minted for this hub only; the verifier vouches for the audience.
        validate_token_resource=True,
    )


def _lookup(raw: str) -> AccessToken | None:
    token = authenticate_token(raw)
    if token is None:
        return None
    return AccessToken(
        token=raw,
        client_id=f"asthub-token-{token.pk}",
        scopes=list(token.scopes),
        expires_at=int(token.expires_at.timestamp()) if token.expires_at else None,
        resource=resource_url(),
        subject=str(token.owner_id),
        claims={"token_id": token.pk},
    )


class HubTokenVerifier:
    """Digest lookup through `accounts.services.authenticate_token` (revoked, expired and
    inactive-owner tokens are refused there; last-used is written at most once a minute)."""

    async def verify_token(self, token: str) -> AccessToken | None:
        return await run_in_db_thread(_lookup, token)
