"""The SDK and CLI talk to this very Django app in-process (httpx's WSGI transport), so
their tests go through the real REST views, services and database."""

import pytest

HUB_URL = "http://testserver"


@pytest.fixture
def wsgi_transport(hub_transport):
    return hub_transport


@pytest.fixture(autouse=True)
def _isolated_cli_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("ASTHUB_CONFIG", str(tmp_path / "asthub" / "config.json"))
    monkeypatch.delenv("ASTHUB_URL", raising=False)
    monkeypatch.delenv("ASTHUB_TOKEN", raising=False)
