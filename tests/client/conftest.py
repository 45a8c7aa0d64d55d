"""Fixtures for the SDK/CLI tests: a fake hub behind httpx.MockTransport, no Django."""

import pytest

from asthub_client import Client, RetryPolicy
from tests.client.fake_hub import TOKEN, URL, FakeHub


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path, monkeypatch):
    # Never read or write the developer's real ~/.config/asthub or environment.
    monkeypatch.setenv("ASTHUB_CONFIG", str(tmp_path / "asthub" / "config.json"))
    monkeypatch.delenv("ASTHUB_URL", raising=False)
    monkeypatch.delenv("ASTHUB_TOKEN", raising=False)


@pytest.fixture
def sleeps():
    """Seconds the client chose to wait, recorded instead of slept so tests stay fast."""
    return []


@pytest.fixture
def retry(sleeps):
    return RetryPolicy(sleep=sleeps.append)


@pytest.fixture
def hub():
    return FakeHub()


@pytest.fixture
def client(hub, retry):
    with Client(url=URL, token=TOKEN, transport=hub.transport(), retry=retry) as session:
        yield session
