"""The MCP tests run against the session's shared hub (tests/shared_hub.py) and its cast."""

import pytest


@pytest.fixture(scope="session")
def hub(shared_hub):
    return shared_hub


@pytest.fixture
def mcp_db_threads_closed():
    """For tests that call tools in this process: the MCP database threads keep their
    connections, which would keep the test database from being dropped."""
    yield
    from mcp_gateway.db import close_pool_connections

    close_pool_connections()
