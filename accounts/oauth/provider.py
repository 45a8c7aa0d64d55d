"""The Hugging Face OAuth provider as Authlib sees it, built from settings on each use
(the issuer is a setting, so tests point it at the fake), plus the two calls a worker
makes without a browser: refresh and revoke.

Errors become the hub's own: a refusal the user must fix (a revoked grant) is
MissingCredential; anything on the provider's side (429, 5xx, timeouts, garbage) is
ProviderBusy, which the poller treats as "ask again later".
"""

from functools import lru_cache
from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings

from asthub_site.errors import MissingCredential
from jobs.platforms.base import PlatformBusy

NAME = "huggingface"
# What a connection may do: identify the person, write and manage their repos, run Jobs.
CONNECT_SCOPES = "openid profile write-repos manage-repos jobs"
# Signing in also asks for the e-mail address, to open an account for a newcomer.
SIGN_IN_SCOPES = CONNECT_SCOPES + " email"
NETWORK_ERRORS = (requests.RequestException, ValueError)


class ProviderBusy(PlatformBusy, ConnectionError):
    """Hugging Face's OAuth server is unreachable or asked us to wait.

    A PlatformBusy, so the poller backs off and keeps the job; a ConnectionError, so a
    Celery task that retries on connection errors retries this too.
    """


def is_configured() -> bool:
    return bool(settings.HF_OAUTH_CLIENT_ID)


def discovery_url() -> str:
    return f"{settings.HF_OAUTH_ISSUER}/.well-known/openid-configuration"


@lru_cache(maxsize=8)
def _client_for(issuer: str, client_id: str, client_secret: str, timeout: float):
    # One registry per configuration: Authlib caches the discovery document on the client.
    registry = OAuth()
    return registry.register(
        name=NAME,
        client_id=client_id,
        client_secret=client_secret or None,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": CONNECT_SCOPES,
            "code_challenge_method": "S256",
            "default_timeout": timeout,
        },
    )


def oauth_client():
    """The Authlib Django client for Hugging Face under the current settings."""
    return _client_for(
        settings.HF_OAUTH_ISSUER,
        settings.HF_OAUTH_CLIENT_ID,
        settings.HF_OAUTH_CLIENT_SECRET,
        settings.PLATFORM_HTTP_TIMEOUT_SECONDS,
    )


def metadata() -> dict[str, Any]:
    try:
        return oauth_client().load_server_metadata()
    except NETWORK_ERRORS as exc:
        raise ProviderBusy(f"Hugging Face sign-in is unreachable: {exc}") from exc


def _session() -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.HF_OAUTH_CLIENT_ID,
        client_secret=settings.HF_OAUTH_CLIENT_SECRET or None,
        default_timeout=settings.PLATFORM_HTTP_TIMEOUT_SECONDS,
    )


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    value = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
    try:
        return float(value) if value else None
    except ValueError:
        return None


def refresh_tokens(refresh_token: str) -> dict[str, Any]:
    """Trade a refresh token for a new token set (with its successor, if rotated)."""
    endpoint = metadata().get("token_endpoint")
    try:
        with _session() as session:
            return dict(session.refresh_token(endpoint, refresh_token=refresh_token))
    except OAuthError as exc:
        if exc.error in {"invalid_grant", "invalid_client", "unauthorized_client"}:
            raise MissingCredential(
                "Your Hugging Face connection has expired or was revoked on Hugging Face; "
                "connect it again under Credentials."
            ) from exc
        raise ProviderBusy(f"Hugging Face refused to refresh the token: {exc.error}") from exc
    except NETWORK_ERRORS as exc:
        raise ProviderBusy(
            f"Hugging Face could not refresh the token: {exc}", retry_after=_retry_after(exc)
        ) from exc


def revoke_token(token: str, *, hint: str) -> bool:
    """Ask the provider to revoke a token if it offers revocation; False if it could not."""
    endpoint = metadata().get("revocation_endpoint")
    if not endpoint:
        return False
    with _session() as session:
        response = session.revoke_token(endpoint, token=token, token_type_hint=hint)
    return response.ok
