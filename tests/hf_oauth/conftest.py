"""The fake Hugging Face OAuth provider on a real port, and the hub pointed at it."""

from urllib.parse import urlsplit

import pytest
import requests

from accounts.oauth import provider as hf_provider
from tests.fakes.huggingface_oauth import FakeHFOAuth, FakeOAuthServer

CLIENT_ID = "hub-client-id"
CLIENT_SECRET = "hub-client-secret"  # noqa: S105 (the fake app's secret)


@pytest.fixture
def hf():
    provider = FakeHFOAuth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, auto_approve=True)
    with FakeOAuthServer(provider):
        yield provider


@pytest.fixture
def hub_uses_fake(hf, settings):
    settings.HF_OAUTH_ISSUER = hf.issuer
    settings.HF_OAUTH_CLIENT_ID = CLIENT_ID
    settings.HF_OAUTH_CLIENT_SECRET = CLIENT_SECRET
    settings.PLATFORM_HTTP_TIMEOUT_SECONDS = 5
    hf_provider._client_for.cache_clear()
    yield hf
    hf_provider._client_for.cache_clear()


def run_flow(client, start_path: str, data: dict | None = None):
    """Start a flow in the hub, let the provider answer (auto-approve), and return the
    hub's response to the callback."""
    started = client.post(start_path, data or {})
    assert started.status_code == 302, started.content
    answer = requests.get(started["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


@pytest.fixture
def connect(hub_uses_fake):
    def go(client):
        return run_flow(client, "/oauth/huggingface/connect/")

    return go


@pytest.fixture
def sign_in_hf(hub_uses_fake):
    def go(client, next_url: str | None = None):
        data = {"next": next_url} if next_url else None
        return run_flow(client, "/oauth/huggingface/login/", data)

    return go
