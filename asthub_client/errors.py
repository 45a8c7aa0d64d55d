"""The SDK's exception family, one class per kind of failure a caller handles differently.

Every server error has the body `{"error": {"code", "message", "fields"?}}`; the class is
chosen from the HTTP status and, for 403, from the code (over quota is not a permission
problem: the fix is a plan change or waiting for the month to reset).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from typing import Any


class AstHubError(Exception):
    """Any failure talking to the hub. `status` is None when no HTTP response came back."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        code: str = "error",
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.fields: dict[str, Any] = dict(fields or {})

    def __str__(self) -> str:
        return self.message


class AuthenticationError(AstHubError):
    """401: the token is missing, unknown, revoked or expired."""


class PermissionDenied(AstHubError):
    """403: the token lacks a scope the endpoint needs."""


class QuotaExceeded(AstHubError):
    """403 with code quota_exceeded: the plan's limit is reached. `upgrade_url`, when the
    hub bills, is the page where the person upgrades."""

    upgrade_url: str = ""


class NotFound(AstHubError):
    """404: no such object for this account (other tenants' objects included)."""


class Conflict(AstHubError):
    """409: the object's state forbids the action (e.g. cancelling a finished job)."""


class RateLimited(AstHubError):
    """429: over the plan's request rate; `retry_after` is in seconds when the server said."""

    def __init__(
        self,
        message: str,
        status: int | None = 429,
        code: str = "throttled",
        fields: Mapping[str, Any] | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status, code, fields)
        self.retry_after = retry_after


class InvalidRequest(AstHubError):
    """400 or 413: the request itself is wrong; `fields` names the offending inputs."""


class ServerError(AstHubError):
    """5xx, or a response the SDK cannot make sense of."""


class ConnectionFailed(AstHubError):
    """The hub could not be reached, or the connection dropped."""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_from_response(
    status: int, body: Any, headers: Mapping[str, str] | None = None
) -> AstHubError:
    """Build the matching exception from a status code and the decoded JSON body."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = str(error.get("code") or _default_code(status))
    message = str(error.get("message") or f"HTTP {status}")
    fields = error.get("fields") if isinstance(error.get("fields"), dict) else None

    if status == 429:
        retry_after = parse_retry_after((headers or {}).get("retry-after"))
        return RateLimited(message, status, code, retry_after=retry_after, fields=fields)
    if status == 403:
        if code != "quota_exceeded":
            return PermissionDenied(message, status, code, fields)
        refused = QuotaExceeded(message, status, code, fields)
        refused.upgrade_url = str(error.get("upgrade_url") or "")
        return refused
    cls = _CLASS_BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else InvalidRequest
    return cls(message, status, code, fields)


_CLASS_BY_STATUS: dict[int, type[AstHubError]] = {
    400: InvalidRequest,
    401: AuthenticationError,
    404: NotFound,
    409: Conflict,
    413: InvalidRequest,
}


def _default_code(status: int) -> str:
    return {
        400: "invalid",
        401: "not_authenticated",
        403: "permission_denied",
        404: "not_found",
        409: "conflict",
        413: "too_large",
        429: "throttled",
    }.get(status, "server_error" if status >= 500 else "error")
