"""How a tool is declared and registered.

A tool is a plain async function in one of the `mcp_gateway.tools` modules, marked with
`hub_tool(scope, annotations, title)`: the mark only records what registration needs, so
the function can be imported and called (with a test's access token) on its own.
`register_tools` then hands each to the SDK, with the scope it needs (mcp_gateway.scopes)
and closed to unknown arguments (mcp_gateway.strict_tools).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mcp.server.mcpserver import MCPServer
from mcp.types import ToolAnnotations

from mcp_gateway.scopes import requires
from mcp_gateway.strict_tools import strict

READ = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)
START = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False)
CANCEL = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True)
PUBLISH = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)


@dataclass(frozen=True)
class ToolDeclaration:
    scope: str
    annotations: ToolAnnotations
    title: str


def hub_tool(scope: str, annotations: ToolAnnotations, title: str) -> Callable:
    def mark(fn: Callable) -> Callable:
        fn.hub_tool = ToolDeclaration(scope, annotations, title)
        return fn

    return mark


def register_tools(server: MCPServer, tools: Iterable[Callable]) -> None:
    for fn in tools:
        declared: ToolDeclaration = fn.hub_tool
        requires(declared.scope, fn.__name__)
        server.tool(title=declared.title, annotations=declared.annotations)(fn)
        # The SDK has no hook for this: its registry entry is replaced with the stricter tool.
        registry = server._tool_manager._tools
        registry[fn.__name__] = strict(registry[fn.__name__])
