"""Upgrading and managing billing over REST: the real stripe client against the local
Stripe, with Stripe's request shapes, idempotency and failures."""

import pytest

from accounts.models import AuditEvent
from billing.models import Subscription

pytestmark = pytest.mark.django_db


def api_calls(fake, path: str) -> list:
    return [r for r in fake.requests if r.path == path]


def test_checkout_returns_stripes_url_for_a_pro_subscription(alice, api_as, billing_on):
    response = api_as(alice).post("/api/v1/billing/checkout")
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert url.startswith(billing_on.base_url + "/c/pay/cs_")
    (create,) = [r for r in api_calls(billing_on, "/v1/checkout/sessions") if r.method == "POST"]
    assert create.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert create.headers["idempotency-key"].startswith("asthub-checkout-")
    params = create.params
    assert params["mode"] == "subscription"
    assert params["client_reference_id"] == str(alice.pk)
    assert params["line_items"] == [{"price": billing_on.pro_price, "quantity": "1"}]
    assert params["subscription_data"]["metadata"]["user_id"] == str(alice.pk)
    assert "{CHECKOUT_SESSION_ID}" in params["success_url"]
    account = Subscription.objects.get(user=alice)
    assert account.stripe_customer_id in billing_on.customers
    assert account.plan == "free"  # nothing changes until Stripe says it is paid
    assert AuditEvent.objects.filter(user=alice, action="billing.checkout_started").exists()


def test_a_double_click_reuses_one_customer_and_one_session(alice, api_as, billing_on):
    api = api_as(alice)
    first = api.post("/api/v1/billing/checkout").json()["url"]
    second = api.post("/api/v1/billing/checkout").json()["url"]
    assert first == second
    assert len(billing_on.customers) == 1 and len(billing_on.checkout_sessions) == 1


def test_checkout_needs_the_billing_write_scope(alice, api_as, billing_on):
    response = api_as(alice, scopes=["billing:read"]).post("/api/v1/billing/checkout")
    assert response.status_code == 403
    assert "billing:write" in response.json()["error"]["message"]
    assert not billing_on.requests


def test_a_pro_account_is_sent_to_manage_billing_instead(alice, api_as, subscribe):
    subscribe(alice)
    response = api_as(alice).post("/api/v1/billing/checkout")
    assert response.status_code == 409
    assert "already on Pro" in response.json()["error"]["message"]


def test_portal_opens_for_a_subscriber_and_returns_to_the_hub(alice, api_as, subscribe, billing_on):
    subscribe(alice)
    response = api_as(alice).post("/api/v1/billing/portal")
    assert response.status_code == 201
    assert response.json()["url"].startswith(billing_on.base_url + "/p/session/bps_")
    (session,) = billing_on.portal_sessions.values()
    assert session["customer"] == Subscription.objects.get(user=alice).stripe_customer_id
    assert session["return_url"].endswith("/portal/billing/")


def test_portal_before_any_subscription_is_a_clear_conflict(alice, api_as, billing_on):
    response = api_as(alice).post("/api/v1/billing/portal")
    assert response.status_code == 409
    assert "never subscribed" in response.json()["error"]["message"]
    assert not billing_on.requests


def test_a_hub_without_stripe_says_billing_is_not_configured(alice, api_as):
    api = api_as(alice)
    for path in ("/api/v1/billing/checkout", "/api/v1/billing/portal"):
        response = api.post(path)
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "billing_not_configured"
    usage = api.get("/api/v1/usage").json()
    assert usage["billing"]["configured"] is False and usage["upgrade_url"] is None
    assert not Subscription.objects.exclude(stripe_customer_id="").exists()


@pytest.mark.parametrize("status", [500, 503, 429])
def test_stripe_failing_is_a_502_that_changes_nothing(alice, api_as, billing_on, status):
    billing_on.fail("customers.create", status=status, times=10)
    response = api_as(alice).post("/api/v1/billing/checkout")
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "billing_unavailable"
    assert "Try again" in response.json()["error"]["message"]
    account = Subscription.objects.get(user=alice)
    assert (account.plan, account.stripe_customer_id) == ("free", "")


def test_a_429_stripe_marks_retryable_is_retried_with_the_same_idempotency_key(
    alice, api_as, billing_on
):
    billing_on.fail("checkout.sessions.create", status=429, times=1, should_retry=True)
    response = api_as(alice).post("/api/v1/billing/checkout")
    assert response.status_code == 201
    creates = [r for r in api_calls(billing_on, "/v1/checkout/sessions") if r.method == "POST"]
    assert len(creates) == 2
    assert creates[0].headers["idempotency-key"] == creates[1].headers["idempotency-key"]
    assert len(billing_on.checkout_sessions) == 1


def test_a_price_stripe_does_not_know_tells_the_operator(alice, api_as, billing_on, settings):
    settings.STRIPE_PRICE_PRO = "price_missing"
    response = api_as(alice).post("/api/v1/billing/checkout")
    assert response.status_code == 502
    assert "STRIPE_PRICE_PRO" in response.json()["error"]["message"]


def test_returning_from_checkout_applies_the_plan_before_the_webhook(
    alice, client, api_as, billing_on
):
    url = api_as(alice).post("/api/v1/billing/checkout").json()["url"]
    session_id = url.rsplit("/", 1)[-1]
    billing_on.complete_checkout(session_id)
    client.force_login(alice)
    page = client.get(f"/portal/billing/?checkout=success&session_id={session_id}", follow=True)
    assert "this account is on Pro now" in page.content.decode()
    assert Subscription.objects.get(user=alice).plan == "pro"


def test_someone_elses_checkout_session_upgrades_nobody(alice, bob, client, api_as, billing_on):
    url = api_as(alice).post("/api/v1/billing/checkout").json()["url"]
    session_id = url.rsplit("/", 1)[-1]
    billing_on.complete_checkout(session_id)
    client.force_login(bob)
    client.get(f"/portal/billing/?checkout=success&session_id={session_id}")
    client.get("/portal/billing/?checkout=success&session_id=cs_test_nope")
    assert Subscription.objects.get(user=bob).plan == "free"
    assert Subscription.objects.get(user=alice).plan == "free"  # its webhook not yet here


def test_a_stripe_slower_than_the_timeout_is_a_502_not_a_hang(alice, api_as, billing_on, settings):
    from billing.payments import gateway

    settings.PLATFORM_HTTP_TIMEOUT_SECONDS = 0.3
    gateway._client_for.cache_clear()
    billing_on.slow("customers.create", 2)
    response = api_as(alice).post("/api/v1/billing/checkout")
    assert response.status_code == 502
    assert "did not answer" in response.json()["error"]["message"]
    billing_on.slow("customers.create", 0)
    assert Subscription.objects.get(user=alice).stripe_customer_id == ""
