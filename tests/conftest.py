"""Shared cast and helpers: alice and bob are two tenants, `operator` is staff, and
`anon` is an anonymous API caller.

Tests marked `postgres` or `redis` need the real services (DATABASE_URL / REDIS_URL).
They skip when those are not configured, except under ASTHUB_REQUIRE_SERVICES=1 (CI),
where a missing service is a failure.
"""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import ALL_SCOPES
from accounts.services import create_token, sign_up
from billing.rate_window import reset_local_windows
from tests.fakes.kaggle import running_fake
from tests.shared_hub import fake_hf, shared_hub  # noqa: F401 (session fixtures)

PASSWORD = "correct horse battery staple"
REQUIRE_SERVICES = os.environ.get("ASTHUB_REQUIRE_SERVICES") == "1"


def pytest_configure(config):
    # Every sign-up and login hashes a password; Django's PBKDF2 costs ~0.3 s a time here,
    # which in-process tests pay hundreds of times. Live hubs (subprocesses) keep PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _missing(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (ASTHUB_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _services_for_marked_tests(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://...")
    if request.node.get_closest_marker("redis") and not settings.REDIS_URL:
        _missing("needs Redis: set REDIS_URL=redis://...")


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit windows live in the cache's Redis, or in this process; each test starts
    # with none.
    cache.clear()
    reset_local_windows()
    yield
    cache.clear()
    reset_local_windows()


@pytest.fixture
def alice(db):
    return sign_up(email="alice@example.com", password=PASSWORD)


@pytest.fixture
def bob(db):
    return sign_up(email="bob@example.com", password=PASSWORD)


@pytest.fixture
def operator(db):
    user = sign_up(email="ops@example.com", password=PASSWORD)
    user.is_staff = True
    user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def token_for():
    def make(user, scopes=None, **kwargs):
        _, raw = create_token(
            user=user, name=kwargs.pop("name", "test"), scopes=scopes or ALL_SCOPES, **kwargs
        )
        return raw

    return make


@pytest.fixture
def api_as(token_for):
    """An API client authenticated with a fresh token of `user` (all scopes by default)."""

    def make(user, scopes=None):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, scopes)}")
        return client

    return make


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def hf_hub(settings):
    """The fake Hugging Face Hub, with the hub pointed at it; `hf_hub.add_user(name)`
    returns a token the fake accepts."""
    from tests.fakes.huggingface import FakeHuggingFace

    hub = FakeHuggingFace().start()
    settings.HF_ENDPOINT = hub.url
    yield hub
    hub.stop()


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def kaggle_fake(settings):
    """A local Kaggle (tests/fakes/kaggle.py) that the hub's Kaggle client talks to."""
    with running_fake() as fake:
        settings.KAGGLE_API_BASE = fake.base_url
        yield fake


@pytest.fixture
def hub_transport():
    """An httpx transport into this hub's WSGI app, inside the test's transaction (for the
    SDK and CLI in-process). Django closes the database connection when a request ends;
    its test client switches that off, and so must this, or on PostgreSQL the test's
    transaction is gone after the first request."""
    import httpx
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    handler = WSGIHandler()

    def app(environ, start_response):
        # Again at every request: Django's own test client reconnects the two after each
        # of its requests, so a test that used it first would lose its transaction here.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        return handler(environ, start_response)

    try:
        yield httpx.WSGITransport(app=app)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
