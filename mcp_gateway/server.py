"""The MCP server and its ASGI app, as the router in asthub_site/asgi.py mounts it."""

from mcp.server.mcpserver import MCPServer

from mcp_gateway.auth import MCP_PATH, HubTokenVerifier, auth_settings
from mcp_gateway.declare import register_tools
from mcp_gateway.scopes import ScopedMCPServer
from mcp_gateway.security import transport_security
from mcp_gateway.tools import TOOLS

INSTRUCTIONS = """\
AST Training Hub: train models with Adaptive Sparse Training (only the samples that matter
get a backward pass; savings are measured). Typical flow: get_usage (what the plan allows),
start_training, monitor_training with wait_seconds until it finishes, compare_runs,
create_model_card. Every job counts against the user's plan; ask before starting many."""

# Paths the router sends here. The protected-resource metadata is Django's
# (accounts/oauth_server), beside the authorization server's own.
MOUNT_PREFIXES = (MCP_PATH,)


def build_server() -> MCPServer:
    server = ScopedMCPServer(
        name="asthub",
        title="AST Training Hub",
        instructions=INSTRUCTIONS,
        token_verifier=HubTokenVerifier(),
        auth=auth_settings(),
    )
    register_tools(server, TOOLS)
    return server


def _strip_trailing_slash(app):
    """`/mcp/` reaches the same endpoint as `/mcp` (clients are configured both ways)."""

    async def asgi(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == f"{MCP_PATH}/":
            scope = dict(scope, path=MCP_PATH, raw_path=MCP_PATH.encode())
        await app(scope, receive, send)

    return asgi


def build_app(server: MCPServer | None = None):
    """Stateless streamable HTTP: any web worker answers any request, no sticky sessions."""
    server = server or build_server()
    starlette_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        transport_security=transport_security(),
    )
    return _strip_trailing_slash(starlette_app)  # lifespan messages pass straight through
