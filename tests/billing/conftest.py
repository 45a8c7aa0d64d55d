"""The hub billing through the local Stripe (tests/fakes/stripe.py), driven by the real
stripe client. Webhooks are delivered by hand into the hub's test client: the fake holds
each event, and `deliver` posts exactly the body and signature the fake would send."""

import json
from dataclasses import dataclass

import pytest

from billing.payments import gateway
from tests.fakes.stripe import FakeStripe, FakeStripeServer

SECRET_KEY = "sk_test_hub"  # noqa: S105 (the fake's key)
WEBHOOK_SECRET = "whsec_test_hub"  # noqa: S105
WEBHOOK_PATH = "/billing/stripe/webhook/"


@pytest.fixture
def stripe_fake():
    fake = FakeStripe(api_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET)
    fake.hold_events = True
    with FakeStripeServer(fake):
        fake.pro_price = fake.add_price(
            product_name="AST Training Hub Pro", unit_amount=2900, interval="month"
        )
        yield fake


@pytest.fixture
def billing_on(settings, stripe_fake):
    """The hub's Stripe settings pointed at the fake."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_PRICE_PRO = stripe_fake.pro_price
    settings.STRIPE_API_BASE = stripe_fake.base_url
    settings.PLATFORM_HTTP_TIMEOUT_SECONDS = 5
    gateway._client_for.cache_clear()
    yield stripe_fake
    gateway._client_for.cache_clear()


@dataclass
class Webhooks:
    """Posts held events to the hub as Stripe would, and reads back what it answered."""

    client: object
    fake: FakeStripe

    def post(self, body: bytes, signature: str | None):
        headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
        return self.client.post(WEBHOOK_PATH, data=body, content_type="application/json", **headers)

    def deliver(self, event_id: str):
        body = self.fake.payload(event_id)
        return self.post(body, self.fake.sign(body))

    def deliver_pending(self) -> list:
        """Every held event, in the order Stripe emitted them."""
        answers = []
        while self.fake.pending_events:
            answers.append(self.deliver(self.fake.pending_events.pop(0)))
        return answers

    def pending_of(self, kind: str) -> list[str]:
        return [e for e in self.fake.pending_events if self.fake.events[e]["type"] == kind]

    def event(self, event_id: str) -> dict:
        return json.loads(self.fake.payload(event_id))


@pytest.fixture
def webhooks(billing_on, client):
    return Webhooks(client=client, fake=billing_on)


@pytest.fixture
def subscribe(billing_on, api_as, webhooks):
    """Take `user` through Checkout (REST → the fake's Pay button) and deliver the events;
    returns the Stripe subscription id."""

    def go(user) -> str:
        response = api_as(user).post("/api/v1/billing/checkout")
        assert response.status_code == 201, response.content
        session_id = response.json()["url"].rsplit("/", 1)[-1]
        subscription_id = billing_on.complete_checkout(session_id)
        for answer in webhooks.deliver_pending():
            assert answer.status_code == 200, answer.content
        return subscription_id

    return go
