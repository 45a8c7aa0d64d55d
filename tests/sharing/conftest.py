"""The SDK and CLI talk to this very Django app in-process (httpx's WSGI transport), so
their tests go through the real REST views, services and database."""

import httpx
import pytest
from django.core.handlers.wsgi import WSGIHandler

HUB_URL = "http://testserver"


@pytest.fixture
def wsgi_transport():
    return httpx.WSGITransport(app=WSGIHandler())


@pytest.fixture(autouse=True)
def _isolated_cli_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("ASTHUB_CONFIG", str(tmp_path / "asthub" / "config.json"))
    monkeypatch.delenv("ASTHUB_URL", raising=False)
    monkeypatch.delenv("ASTHUB_TOKEN", raising=False)
