"""Python SDK and `asthub` CLI for the AST Training Hub REST API."""

from asthub_client.client import Client
from asthub_client.errors import (
    AstHubError,
    AuthenticationError,
    Conflict,
    ConnectionFailed,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    RateLimited,
    ServerError,
)
from asthub_client.models import Event, Job
from asthub_client.retry import RetryPolicy

# The distribution's version (pyproject.toml), for a checkout that is not installed.
__version__ = "0.1.0"

__all__ = [
    "AstHubError",
    "AuthenticationError",
    "Client",
    "Conflict",
    "ConnectionFailed",
    "Event",
    "InvalidRequest",
    "Job",
    "NotFound",
    "PermissionDenied",
    "QuotaExceeded",
    "RateLimited",
    "RetryPolicy",
    "ServerError",
]
