"""Who an OAuth access token speaks for: the lookup the MCP endpoint makes per request.

Only the token's checksum is stored, so the lookup is by checksum. A token is good while
it has not expired, its person is active and its app is still connected (disconnecting
deletes the tokens). The registration tokens RFC 7592 hands to clients belong to nobody
and never pass.
"""

import hashlib
from dataclasses import dataclass

from django.utils import timezone
from oauth2_provider.models import AccessToken

from accounts import auth_cache, invalidation
from accounts.models import ALL_SCOPES
from accounts.oauth_server.services import touch_connection
from accounts.oauth_server.tokens import looks_like_oauth_access_token


@dataclass(frozen=True)
class OAuthAccess:
    user_id: int
    application_id: int
    client_id: str
    # Tuples: one answer is shared by every call that finds it in memory.
    scopes: tuple[str, ...]
    resources: tuple[str, ...]
    expires_at: int


def authenticate_oauth_access(raw_token: str, *, memory_only: bool = False) -> OAuthAccess | None:
    """The access this token gives, or None; answered from memory for a few seconds
    (accounts.auth_cache), so a busy connector costs no query and no round trip per call.
    `memory_only`: None unless it is in memory (no query, so callable from an event loop)."""
    if not raw_token or not looks_like_oauth_access_token(raw_token):
        return None
    checksum = hashlib.sha256(raw_token.encode()).hexdigest()
    found = auth_cache.recall(invalidation.OAUTH_TOKEN, checksum, timezone.now())
    if found is not None:
        return found.detail
    if memory_only:
        return None
    since = auth_cache.generation()
    token = (
        AccessToken.objects.select_related("application", "user")
        .filter(token_checksum=checksum, user__isnull=False, user__is_active=True)
        .filter(expires__gt=timezone.now())
        .first()
    )
    if token is None or token.application is None:
        return None
    # Noted when the row is read, not on calls answered from memory: still at most once
    # a minute (touch_connection decides), and no shared-cache round trip per call.
    touch_connection(user_id=token.user_id, application_id=token.application_id)
    granted = set(token.scope.split())
    access = OAuthAccess(
        user_id=token.user_id,
        application_id=token.application_id,
        client_id=token.application.client_id,
        scopes=tuple(scope for scope in ALL_SCOPES if scope in granted),
        resources=tuple(token.resource or ()),
        expires_at=int(token.expires.timestamp()),
    )
    found = auth_cache.VerifiedToken(owner=token.user, expires_at=token.expires, detail=access)
    auth_cache.remember(invalidation.OAUTH_TOKEN, checksum, found, since)
    return access
