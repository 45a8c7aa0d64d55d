"""The tools an assistant calls, one module per area, as GitHub's MCP server groups its
toolsets. Each is thin: arguments → one service or selector for the token's user
(`call_as_user`) → a pydantic answer (structuredContent) built from the shared presenters.

`TOOLS` is every tool, in the order an assistant lists them."""

from mcp_gateway.tools import (
    account,
    competitions,
    leaderboard,
    publishing,
    reports,
    sharing,
    training,
)

TOOLS = [
    *training.TOOLS,
    *reports.TOOLS,
    *publishing.TOOLS,
    *competitions.TOOLS,
    *sharing.TOOLS,
    *leaderboard.TOOLS,
    *account.TOOLS,
]
