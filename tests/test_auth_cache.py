"""Token lookups, active users and plans kept in memory for a few seconds
(accounts.auth_cache, billing.plan_cache): a busy client's calls cost no query, yet a
revocation, a deactivation, an expiry or a plan change is seen on the very next call, in
this process and in the others (accounts.invalidation)."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import invalidation
from accounts.models import ApiToken
from accounts.read_cache import ReadCache
from accounts.services import authenticate_token
from accounts.tokens import token_digest
from asthub_site.errors import HubError
from billing.models import PlanOverride
from billing.plan_cache import cached_effective_plan
from billing.services import change_plan, save_plan_override
from billing.throttling import account_rate_key, count_request
from mcp_gateway.auth import _lookup as mcp_lookup
from mcp_gateway.calls import _as_user
from tests.conftest import PASSWORD
from tests.oauth_server import flow

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def _from_memory(call):
    """Call until an answer comes without a query, and return it. (With Redis a process
    keeps nothing until its invalidation listener is subscribed: the first calls read.)"""
    deadline = time.monotonic() + 10
    while True:
        with CaptureQueriesContext(connection) as queries:
            answer = call()
        if not queries.captured_queries:
            return answer
        assert time.monotonic() < deadline, "never answered from memory"
        time.sleep(0.02)


def _rest(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _mark_revoked_behind_this_process(token_id: int) -> None:
    """What another process's revocation leaves in the database: a row this process
    heard nothing about (no signal here)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_apitoken SET revoked_at = %s WHERE id = %s",
            [timezone.now(), token_id],
        )


def _save_in_another_process(digest: str, env: dict[str, str]) -> None:
    """Another process saves the API token with this digest, as its revocation does: its
    post_save receiver announces the change (that process has no test database, so the
    signal stands for the save)."""
    code = (
        "import django; django.setup()\n"
        "from django.db.models.signals import post_save\n"
        "from accounts.models import ApiToken\n"
        f"post_save.send(ApiToken, instance=ApiToken(digest={digest!r}), created=False)\n"
    )
    env = {**env, "DJANGO_SETTINGS_MODULE": "asthub_site.settings"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, timeout=120)


@pytest.fixture
def embedded(settings, tmp_path):
    """This process as an embedded hub's: no Redis, its own VAR_DIR (and stamp file)."""
    settings.REDIS_URL = ""
    settings.VAR_DIR = tmp_path
    invalidation.ready()  # reads the new stamp file (absent), which forgets what was kept
    return tmp_path


@pytest.fixture
def anonymous():
    return Client()


@pytest.fixture
def browser_of():
    def signed_in(user):
        client = Client()
        assert client.login(email=user.email, password=PASSWORD)
        return client

    return signed_in


# --- Kept: no query per call --------------------------------------------------------


def test_a_verified_mcp_call_costs_no_query_once_kept(alice, token_for):
    PlanOverride.objects.create(user=alice, api_requests_per_minute=10_000)
    raw = token_for(alice)

    def mcp_call():
        verified = mcp_lookup(raw)
        return _as_user(int(verified.subject), lambda user: user.email, True)

    assert _from_memory(mcp_call) == alice.email
    with CaptureQueriesContext(connection) as queries:
        assert mcp_call() == alice.email
    assert queries.captured_queries == []


def test_each_caller_gets_its_own_copy_of_the_kept_user(alice, token_for):
    raw = token_for(alice)
    first = _from_memory(lambda: authenticate_token(raw))
    first.owner.first_name = "changed by one request"
    first.scopes.append("not:granted")
    second = authenticate_token(raw)
    assert second.owner.first_name == ""
    assert "not:granted" not in second.scopes
    assert _as_user(alice.pk, lambda user: user.first_name, False) == ""


def test_nothing_is_kept_when_the_setting_is_zero(alice, token_for, settings):
    settings.AUTH_CACHE_SECONDS = 0
    raw = token_for(alice)
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert authenticate_token(raw) is not None
        assert queries.captured_queries


# --- Changes seen on the very next call ---------------------------------------------


def test_a_revoked_api_token_is_refused_on_the_next_rest_and_mcp_call(alice, api_as, token_for):
    raw = token_for(alice, name="leaked")
    _from_memory(lambda: mcp_lookup(raw))
    assert _rest(raw).get("/api/v1/me").status_code == 200
    token_id = ApiToken.objects.get(name="leaked").pk
    assert api_as(alice).delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert _rest(raw).get("/api/v1/me").status_code == 401
    assert mcp_lookup(raw) is None


def test_a_bulk_update_of_a_token_is_seen_at_once(alice, token_for):
    raw = token_for(alice)
    _from_memory(lambda: authenticate_token(raw))
    ApiToken.objects.filter(owner=alice).update(revoked_at=timezone.now())
    assert authenticate_token(raw) is None


def test_a_revoked_oauth_token_is_refused_on_the_next_mcp_call(alice, anonymous, browser_of):
    authorization, tokens = flow.connect(anonymous, browser_of(alice))
    access = tokens["access_token"]
    _from_memory(lambda: mcp_lookup(access))
    revoked = flow.revoke(anonymous, authorization.client_id, access, hint="access_token")
    assert revoked.status_code == 200
    assert mcp_lookup(access) is None


def test_a_disconnected_app_is_refused_on_the_next_mcp_call(alice, anonymous, browser_of, api_as):
    _, tokens = flow.connect(anonymous, browser_of(alice))
    _from_memory(lambda: mcp_lookup(tokens["access_token"]))
    [app] = api_as(alice).get("/api/v1/connected-apps").json()
    assert api_as(alice).delete(f"/api/v1/connected-apps/{app['id']}").status_code == 204
    assert mcp_lookup(tokens["access_token"]) is None


def test_a_deactivated_account_is_refused_at_once(alice, token_for):
    raw = token_for(alice)
    _from_memory(lambda: (mcp_lookup(raw), _as_user(alice.pk, lambda user: user.pk, False)))
    alice.is_active = False
    alice.save()
    assert mcp_lookup(raw) is None
    assert _rest(raw).get("/api/v1/me").status_code == 401
    with pytest.raises(HubError, match="no longer active"):
        _as_user(alice.pk, lambda user: user.pk, False)


def test_an_expired_token_is_refused_even_while_kept(alice, token_for, settings):
    settings.AUTH_CACHE_SECONDS = 60
    expires_at = timezone.now() + timedelta(seconds=1.5)
    raw = token_for(alice, expires_at=expires_at)
    assert _from_memory(lambda: mcp_lookup(raw)) is not None
    time.sleep(max(0.0, (expires_at - timezone.now()).total_seconds()) + 0.05)
    assert mcp_lookup(raw) is None
    assert authenticate_token(raw) is None


def test_a_plan_change_is_seen_by_the_very_next_count(alice, operator):
    key = account_rate_key(alice.pk)
    override = save_plan_override(
        override=PlanOverride(user=alice, api_requests_per_minute=2),
        actor=operator,
        changed=["api_requests_per_minute"],
    )
    assert [count_request(key, alice) for _ in range(2)] == [None, None]
    assert _from_memory(lambda: count_request(key, alice)) is not None  # full, plan kept
    override.api_requests_per_minute = 3
    save_plan_override(override=override, actor=operator, changed=["api_requests_per_minute"])
    assert count_request(key, alice) is None


def test_a_new_plan_is_seen_by_the_very_next_count(alice):
    key = account_rate_key(alice.pk)
    free = cached_effective_plan(alice).api_requests_per_minute.amount
    waits = [count_request(key, alice) for _ in range(free + 1)]
    assert waits[:free] == [None] * free and waits[-1] is not None
    _from_memory(lambda: cached_effective_plan(alice))
    change_plan(user=alice, plan="pro")
    assert count_request(key, alice) is None


# --- Other processes ---------------------------------------------------------------


@pytest.mark.redis
def test_another_process_revoking_a_token_reaches_this_one_through_redis(
    alice, token_for, settings
):
    settings.AUTH_CACHE_SECONDS = 60  # longer than the other process takes to start
    raw = token_for(alice, name="shared")
    _from_memory(lambda: authenticate_token(raw))
    token = ApiToken.objects.get(name="shared")
    _mark_revoked_behind_this_process(token.pk)
    assert authenticate_token(raw) is not None  # kept: nothing told this process yet
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    env = {**os.environ, "REDIS_URL": settings.REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    _save_in_another_process(token_digest(raw), env)
    deadline = time.monotonic() + 2
    while authenticate_token(raw) is not None:
        assert time.monotonic() < deadline, "the revocation never reached this process"
        time.sleep(0.005)


def test_another_process_revoking_a_token_reaches_the_embedded_hub(
    alice, token_for, embedded, settings
):
    settings.AUTH_CACHE_SECONDS = 60  # longer than the other process takes to start
    raw = token_for(alice, name="shared")
    _from_memory(lambda: authenticate_token(raw))
    token = ApiToken.objects.get(name="shared")
    _mark_revoked_behind_this_process(token.pk)
    assert authenticate_token(raw) is not None  # kept: nothing told this process yet
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    _save_in_another_process(token_digest(raw), {**env, "ASTHUB_VAR_DIR": str(embedded)})
    assert authenticate_token(raw) is None


# --- The cache itself ----------------------------------------------------------------


def test_a_reader_that_raced_a_drop_does_not_keep_what_it_read(embedded):
    cache = ReadCache()
    before_query = cache.generation()
    cache.drop("token")  # a revocation lands while the reader's query runs
    cache.put({"token": "the row as it was"}, before_query)
    assert cache.get("token") is None
    cache.put({"token": "the row as it is"}, cache.generation())
    assert cache.get("token") == "the row as it is"


def test_the_oldest_entries_go_when_the_cache_is_full(embedded):
    cache = ReadCache(max_entries=2)
    for key in ("a", "b", "c"):
        cache.put({key: key.upper()}, cache.generation())
    assert [cache.get(key) for key in ("a", "b", "c")] == [None, "B", "C"]


def test_a_forked_child_keeps_nothing_its_parent_kept(embedded):
    cache = ReadCache()
    cache.put({"token": "kept"}, cache.generation())
    assert cache.get("token") == "kept"
    child = os.fork()
    if child == 0:  # pragma: no cover (the child reports through its exit status)
        os._exit(0 if cache.get("token") is None and invalidation._here.pid == os.getpid() else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert cache.get("token") == "kept"
