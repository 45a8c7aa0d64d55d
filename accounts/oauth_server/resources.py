"""The protected resources this authorization server issues tokens for (RFC 8707).

Only the MCP endpoint: an OAuth token is bound to it and works nowhere else. REST, the SDK
and the CLI keep using API tokens, so a token held by an assistant's connector cannot be
replayed against the REST API (README: "OAuth tokens and REST").
"""

from django.conf import settings

MCP_PATH = "/mcp"


def mcp_resource() -> str:
    return f"{settings.PUBLIC_BASE_URL}{MCP_PATH}"


def _normalised(uri: str) -> str:
    return uri.strip().rstrip("/")


def is_known_resource(uri: str) -> bool:
    return _normalised(uri) == _normalised(mcp_resource())


def unknown_resources(uris: list[str]) -> list[str]:
    return [uri for uri in uris if not is_known_resource(uri)]
