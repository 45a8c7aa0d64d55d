"""The one place the hub talks to the Hugging Face Hub from: `hub_api(token)` builds an
`HfApi` for one user for one call, and `hub_errors()` turns the Hub's answers into the
hub's own errors.

Why each piece is here:
- `huggingface_hub` shares one HTTP client across every `HfApi`; ours has a timeout (its
  default has none, so a stuck Hub would hold a worker forever) and a cookie jar that
  keeps nothing, so no cookie set for one tenant is ever sent on another tenant's call.
- `endpoint=` is always passed explicitly: the library's global endpoint is read from the
  environment at import time, and helpers that fall back to it would talk to
  huggingface.co even when this hub is pointed elsewhere. Telemetry and implicit tokens
  are switched off in settings (they too are read at import).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar, DefaultCookiePolicy

import httpx2
from django.conf import settings
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError
from huggingface_hub.utils import _http as hf_http

from asthub_site.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from jobs.platforms.base import PlatformBusy

_installed_for: float | None = None
_install_lock = threading.Lock()


def _client_factory() -> httpx2.Client:
    return httpx2.Client(
        event_hooks={"request": [hf_http.hf_request_event_hook]},
        follow_redirects=True,
        timeout=httpx2.Timeout(settings.PLATFORM_HTTP_TIMEOUT_SECONDS),
        # A jar whose policy accepts no domain: cookies are never stored, never shared.
        cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
    )


def install_client_factory() -> None:
    """Install our HTTP client factory (again if the timeout setting changed)."""
    global _installed_for
    timeout = settings.PLATFORM_HTTP_TIMEOUT_SECONDS
    if _installed_for == timeout:
        return
    with _install_lock:
        if _installed_for != timeout:
            hf_http.set_client_factory(_client_factory)
            _installed_for = timeout


def hub_api(token: str) -> HfApi:
    """An HfApi for one user's token, for one call; never shared between users."""
    if not token:
        raise InvalidInput("A Hugging Face access token is needed for this.")
    install_client_factory()
    return HfApi(endpoint=settings.HF_ENDPOINT, token=token, library_name="asthub")


def token_of(credential: dict | None) -> str:
    token = (credential or {}).get("token", "")
    if not token:
        raise InvalidInput("Connect a Hugging Face access token first (Credentials).")
    return token


def _server_message(error: HfHubHTTPError) -> str:
    response = error.response
    message = response.headers.get("X-Error-Message", "")
    if not message:
        try:
            body = response.json()
            message = body.get("error", "") if isinstance(body, dict) else ""
        except ValueError:
            message = ""
    return message or str(error).splitlines()[0]


def _retry_after(error: HfHubHTTPError) -> float | None:
    value = error.response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


@contextmanager
def hub_errors(action: str) -> Iterator[None]:
    """Map what the Hub answered while doing `action` to the hub's error family.

    429, 5xx and network trouble are PlatformBusy (the caller retries later); the rest
    are the user's to fix and say so.
    """
    try:
        yield
    except HfHubHTTPError as error:
        status = error.response.status_code if error.response is not None else 0
        message = _server_message(error) if error.response is not None else str(error)
        if status == 401:
            raise InvalidInput(
                f"Hugging Face rejected the access token while {action} (401): it is wrong, "
                "expired or revoked. Replace it under Credentials."
            ) from None
        if status == 403:
            raise PermissionDenied(
                f"Hugging Face refused {action} (403): {message}. Check that the token has "
                "write access to that namespace."
            ) from None
        if status == 404:
            raise NotFound(f"Not found on Hugging Face while {action}: {message}") from None
        if status == 409:
            raise Conflict(f"Hugging Face answered 409 while {action}: {message}") from None
        if status in (408, 429) or status >= 500:
            raise PlatformBusy(
                f"Hugging Face is busy ({status}) while {action}; will retry.",
                retry_after=_retry_after(error),
            ) from None
        raise InvalidInput(f"Hugging Face refused {action} ({status}): {message}") from None
    except (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError) as error:
        raise PlatformBusy(
            f"Hugging Face did not answer while {action} ({type(error).__name__}); will retry."
        ) from None
