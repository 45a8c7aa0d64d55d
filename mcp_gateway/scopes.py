"""Scopes decide which tools a token sees and may call.

A `jobs:read` token sees only the read tools (read-only mode); calling a tool outside the
token's scopes is a tool error naming the missing scope.
"""

from typing import Any

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

TOOL_SCOPES: dict[str, str] = {}


def requires(scope: str, tool_name: str) -> None:
    TOOL_SCOPES[tool_name] = scope


def _granted() -> set[str]:
    token = get_access_token()
    return set(token.scopes) if token else set()


class ScopedMCPServer(MCPServer):
    async def list_tools(self):
        granted = _granted()
        return [
            tool for tool in await super().list_tools() if TOOL_SCOPES.get(tool.name) in granted
        ]

    async def call_tool(self, name: str, arguments: dict[str, Any], context=None):
        needed = TOOL_SCOPES.get(name)
        if needed is not None and needed not in _granted():
            raise ToolError(
                f"This token lacks the '{needed}' scope that {name} needs. Create a token "
                f"with '{needed}' in the portal (Account → API tokens) and reconnect."
            )
        return await super().call_tool(name, arguments, context)
