"""The MCP tests run against the session's shared hub (tests/shared_hub.py) and its cast."""

import pytest


@pytest.fixture(scope="session")
def hub(shared_hub):
    return shared_hub
