"""The hub's policy for RFC 7591 dynamic client registration, which is open to anyone
(an MCP client registers itself before a person is involved):

- redirect URIs are https, or http on a loopback address (RFC 8252 native apps), or a
  private-use scheme the operator allowed with OAUTH_EXTRA_REDIRECT_SCHEMES;
- a client uses the authorization code grant (with refresh tokens), nothing else;
- each address may register OAUTH_REGISTRATIONS_PER_HOUR clients in any hour (a sliding
  window).
"""

import ipaddress
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.http import JsonResponse

from billing.rate_window import sliding_window_wait

LOOPBACK_NAMES = {"localhost"}
ALLOWED_GRANT_TYPES = {"authorization_code", "refresh_token"}
WINDOW_SECONDS = 3600
MAX_REDIRECT_URIS = 10
MAX_CLIENT_NAME = 255


def metadata_error(description: str, error: str = "invalid_client_metadata") -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=400)


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redirect_uri_problem(uri: str) -> str | None:
    """Why `uri` may not be a redirect URI, or None when it may."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return f"{uri!r} is not a URI."
    extra_schemes = {
        scheme for scheme in settings.OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"]
    } - {"http", "https"}
    if parts.fragment:
        return f"{uri!r} has a fragment; redirect URIs may not (RFC 6749 §3.1.2)."
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return None
    if parts.scheme in extra_schemes:
        return None
    if parts.scheme == "http":
        return f"{uri!r} uses http on a non-loopback host; use https, or http://127.0.0.1."
    return f"{uri!r} is neither https nor loopback http."


def metadata_problem(body: bytes) -> JsonResponse | None:
    """Refuse what the toolkit would accept but the hub does not, and any body that is
    not a JSON object (the toolkit parses again, but only what passed here)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested past Python's stack
        return metadata_error("The body must be a JSON object of client metadata (RFC 7591).")
    if not isinstance(data, dict):
        return metadata_error("The body must be a JSON object of client metadata (RFC 7591).")
    redirect_uris = data.get("redirect_uris")
    if not isinstance(redirect_uris, list) or not redirect_uris:
        return metadata_error("redirect_uris is required (a list of https or loopback URIs).")
    if len(redirect_uris) > MAX_REDIRECT_URIS:
        return metadata_error(f"At most {MAX_REDIRECT_URIS} redirect_uris.")
    for uri in redirect_uris:
        if not isinstance(uri, str):
            return metadata_error("Each redirect_uri must be a string.")
        problem = redirect_uri_problem(uri)
        if problem:
            return metadata_error(problem, error="invalid_redirect_uri")
    grant_types = data.get("grant_types", ["authorization_code"])
    if isinstance(grant_types, list) and not set(grant_types) <= ALLOWED_GRANT_TYPES:
        unsupported = sorted(set(map(str, grant_types)) - ALLOWED_GRANT_TYPES)
        return metadata_error(
            f"Unsupported grant_types {unsupported}; this hub issues authorization_code "
            "and refresh_token only."
        )
    response_types = data.get("response_types", ["code"])
    if isinstance(response_types, list) and set(response_types) - {"code"}:
        return metadata_error("Only the 'code' response type is supported.")
    name = data.get("client_name", "")
    if not isinstance(name, str) or len(name) > MAX_CLIENT_NAME:
        return metadata_error(f"client_name must be a string of at most {MAX_CLIENT_NAME}.")
    return None


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def registration_wait(address: str) -> float | None:
    """Count one registration from `address`; the seconds to wait when over the limit."""
    return sliding_window_wait(
        f"oauth:register:{address}",
        limit=settings.OAUTH_REGISTRATIONS_PER_HOUR,
        window_seconds=WINDOW_SECONDS,
    )


def too_many_registrations(wait: float) -> JsonResponse:
    response = JsonResponse(
        {
            "error": "too_many_requests",
            "error_description": (
                f"Too many client registrations from this address; retry in {wait:.0f} seconds."
            ),
        },
        status=429,
    )
    response["Retry-After"] = str(int(wait))
    return response
