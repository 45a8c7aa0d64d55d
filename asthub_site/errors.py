"""The one family of errors a user can cause.

Services raise these; every surface (REST, MCP, portal, CLI) maps them to a clear message
and the right status. Anything else escaping a service is a bug, not a user error.
"""

from typing import Any


class HubError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class InvalidInput(HubError):
    status = 400
    code = "invalid"


class NotFound(HubError):
    status = 404
    code = "not_found"


class PermissionDenied(HubError):
    status = 403
    code = "forbidden"


class QuotaExceeded(HubError):
    status = 403
    code = "quota_exceeded"

    def __init__(
        self, message: str, *, fields: dict[str, Any] | None = None, upgrade_url: str = ""
    ) -> None:
        super().__init__(message, fields=fields)
        # Where the person can lift the limit (the hub's billing page), when it bills.
        self.upgrade_url = upgrade_url

    def as_dict(self) -> dict[str, Any]:
        body = super().as_dict()
        if self.upgrade_url:
            body["upgrade_url"] = self.upgrade_url
        return body


class MissingCredential(HubError):
    status = 409
    code = "missing_credential"


class Conflict(HubError):
    status = 409
    code = "conflict"
