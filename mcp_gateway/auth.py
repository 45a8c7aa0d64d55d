"""Bearer authentication for MCP: API tokens (pasted, for CI and scripts) and OAuth access
tokens (what a connector gets through the browser), checked per request.

The SDK's middleware calls `verify_token` before any MCP message is read, refuses a token
whose `resource` is not this endpoint (RFC 8707 audience), answers 401 with
`WWW-Authenticate` pointing at the protected-resource metadata, and hands the AccessToken
to tools through `get_access_token()`. The token's user is its subject; nothing in a
tool's arguments can name another user.
"""

from django.conf import settings
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings

from accounts.oauth_server.authentication import authenticate_oauth_access
from accounts.oauth_server.resources import MCP_PATH, is_known_resource, mcp_resource
from accounts.oauth_server.tokens import looks_like_oauth_access_token
from accounts.services import authenticate_token
from mcp_gateway.db import run_in_db_thread

__all__ = ["MCP_PATH", "HubTokenVerifier", "auth_settings"]


def auth_settings() -> AuthSettings:
    # The hub is its own authorization server (accounts/oauth_server); it also serves the
    # protected-resource metadata itself, with the scopes filled in.
    return AuthSettings(
        issuer_url=settings.PUBLIC_BASE_URL,
        resource_server_url=mcp_resource(),
        service_documentation_url=f"{settings.PUBLIC_BASE_URL}/api/docs/",
        # Scopes are checked per tool (mcp_gateway.scopes), not for the whole endpoint.
        required_scopes=[],
        validate_token_resource=True,
    )


def _api_token(raw: str, memory_only: bool) -> AccessToken | None:
    token = authenticate_token(raw, memory_only=memory_only)
    if token is None:
        return None
    return AccessToken(
        token=raw,
        client_id=f"asthub-token-{token.pk}",
        scopes=list(token.scopes),
        expires_at=int(token.expires_at.timestamp()) if token.expires_at else None,
        # An API token is minted by this hub for this hub: its audience is this endpoint.
        resource=mcp_resource(),
        subject=str(token.owner_id),
    )


def _oauth_token(raw: str, memory_only: bool) -> AccessToken | None:
    access = authenticate_oauth_access(raw, memory_only=memory_only)
    if access is None:
        return None
    # The SDK compares this with the endpoint; a token for another resource fails there.
    audience = next((uri for uri in access.resources if is_known_resource(uri)), None)
    return AccessToken(
        token=raw,
        client_id=access.client_id,
        scopes=list(access.scopes),
        expires_at=access.expires_at,
        resource=audience or (access.resources[0] if access.resources else None),
        subject=str(access.user_id),
    )


def _lookup(raw: str, memory_only: bool = False) -> AccessToken | None:
    if looks_like_oauth_access_token(raw):
        return _oauth_token(raw, memory_only)
    return _api_token(raw, memory_only)


class HubTokenVerifier:
    """Digest lookups in a database thread (revoked, expired and inactive-owner tokens are
    refused there; last-used is written at most once a minute). A token verified in the
    last few seconds is answered from memory (accounts.auth_cache), which a revocation or
    deactivation empties at once."""

    async def verify_token(self, token: str) -> AccessToken | None:
        # A token verified in the last few seconds is answered in the event loop: no trip
        # to a database thread, where the call itself will queue next.
        remembered = _lookup(token, memory_only=True)
        if remembered is not None:
            return remembered
        return await run_in_db_thread(_lookup, token)
