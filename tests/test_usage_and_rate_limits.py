"""Plan and usage over REST, and per-account request limits from the plan."""

import pytest
from django.test import override_settings

from billing import quotas
from billing.models import PlanOverride
from billing.services import change_plan

pytestmark = pytest.mark.django_db


def test_usage_shows_plan_limits_used_and_reset(alice, api_as):
    quotas.reserve_job_slot(user=alice)
    body = api_as(alice).get("/api/v1/usage").json()
    assert body["plan"] == "free"
    assert body["limits"]["monthly_jobs"] | {} == {
        "name": "monthly_jobs",
        "label": "Training jobs this month",
        "limit": 10,
        "unlimited": False,
        "used": 1,
        "unit": "",
    }
    assert body["limits"]["concurrent_jobs"]["used"] == 1
    assert body["limits"]["api_tokens"]["used"] == 1
    assert body["resets_at"].endswith("T00:00:00+00:00")
    assert "t4-small" in body["hardware"] and "a100-large" not in body["hardware"]


def test_pro_usage_reports_unlimited_as_a_flag(alice, api_as):
    change_plan(user=alice, plan="pro")
    line = api_as(alice).get("/api/v1/usage").json()["limits"]["monthly_jobs"]
    assert line["unlimited"] is True and line["limit"] is None


def test_usage_needs_billing_read_scope(alice, api_as):
    response = api_as(alice, scopes=["jobs:read"]).get("/api/v1/usage")
    assert response.status_code == 403
    assert "billing:read" in response.json()["error"]["message"]


def test_usage_is_per_tenant(alice, bob, api_as):
    quotas.reserve_job_slot(user=alice)
    assert api_as(bob).get("/api/v1/usage").json()["limits"]["monthly_jobs"]["used"] == 0


def _exhaust(api, limit: int) -> list[int]:
    return [api.get("/api/v1/me").status_code for _ in range(limit + 1)]


def test_requests_past_the_plan_rate_get_429_with_retry_after(alice, api_as):
    PlanOverride.objects.create(user=alice, api_requests_per_minute=5)
    api = api_as(alice)
    codes = _exhaust(api, 5)
    assert codes == [200] * 5 + [429]
    throttled = api.get("/api/v1/me")
    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60
    assert throttled.json()["error"]["code"] == "throttled"


def test_rate_limit_counts_per_account_across_tokens(alice, api_as):
    PlanOverride.objects.create(user=alice, api_requests_per_minute=3)
    first, second = api_as(alice), api_as(alice)
    assert _exhaust(first, 3)[-1] == 429
    # A second token is no second budget: the limit is the account's.
    assert second.get("/api/v1/me").status_code == 429


def test_free_plan_default_is_sixty_a_minute(alice, api_as):
    api = api_as(alice)
    codes = _exhaust(api, 60)
    assert codes.count(200) == 60 and codes[-1] == 429


@pytest.mark.redis
def test_rate_limit_is_counted_in_redis(alice, api_as, settings):
    import redis

    PlanOverride.objects.create(user=alice, api_requests_per_minute=4)
    assert _exhaust(api_as(alice), 4)[-1] == 429
    server = redis.Redis.from_url(settings.REDIS_URL)
    [key] = server.keys(f"*rate:user:{alice.pk}")
    # A log of the accepted requests only (the refused fifth is not in it), kept a minute.
    assert server.type(key) == b"zset"
    assert server.zcard(key) == 4
    assert 0 < server.pttl(key) <= 60_000


@override_settings(ENTERPRISE_LIMITS={})
def test_unlimited_rate_never_throttles(alice, api_as):
    change_plan(user=alice, plan="enterprise")
    api = api_as(alice)
    assert set(_exhaust(api, 70)) == {200}


def test_mcp_calls_share_the_account_budget_with_rest(alice, api_as):
    from mcp_gateway.calls import RateLimited, _as_user

    PlanOverride.objects.create(user=alice, api_requests_per_minute=3)
    api = api_as(alice)
    assert [api.get("/api/v1/me").status_code for _ in range(2)] == [200, 200]
    assert _as_user(alice.pk, lambda user: user.pk, True) == alice.pk
    with pytest.raises(RateLimited, match="for this account"):
        _as_user(alice.pk, lambda user: user.pk, True)
