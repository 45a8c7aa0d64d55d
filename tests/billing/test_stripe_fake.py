"""The Stripe fake (tests/fakes/stripe.py), driven by the real stripe client over HTTP: it
must refuse what Stripe refuses, answer in this API version's shapes, and sign its webhooks
the way Stripe does."""

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode, urlsplit

import pytest
import stripe

from tests.fakes.stripe import API_VERSION, FakeStripe, FakeStripeServer

KEY = "sk_test_hub"
SECRET = "whsec_test"
MONTH = 30 * 86400


@pytest.fixture
def fake():
    fake = FakeStripe(api_key=KEY, webhook_secret=SECRET)
    with FakeStripeServer(fake):
        yield fake
    assert fake.internal_errors == []


@pytest.fixture
def price_id(fake):
    return fake.add_price(product_name="AST Training Hub Pro", unit_amount=2900, currency="usd")


def client_for(fake, retries=0, **kwargs):
    return stripe.StripeClient(
        kwargs.pop("key", KEY),
        base_addresses={"api": fake.base_url},
        max_network_retries=retries,
        **kwargs,
    )


@pytest.fixture
def client(fake):
    return client_for(fake)


def checkout_params(price, customer=None, **extra):
    params = {
        "mode": "subscription",
        "line_items": [{"price": price, "quantity": 1}],
        "success_url": "http://hub.test/billing/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://hub.test/billing/?checkout=cancelled",
        "client_reference_id": "7",
        "metadata": {"user_id": "7"},
        "subscription_data": {"metadata": {"user_id": "7"}},
        **extra,
    }
    if customer:
        params["customer"] = customer
    return params


def checkout_and_pay(fake, client, price, email="alice@example.com"):
    customer = client.v1.customers.create(params={"email": email})
    session = client.v1.checkout.sessions.create(params=checkout_params(price, customer.id))
    return customer.id, session.id, fake.complete_checkout(session.id)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_browser = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def page(url, form=None):
    """(status, headers, text) of a hosted page, as a browser without JS would see it."""
    data = urlencode(form).encode() if form is not None else None
    try:
        with _browser.open(urllib.request.Request(url, data=data), timeout=5) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class Receiver:
    """A webhook endpoint: records each POST, answers the next statuses queued."""

    def __init__(self):
        self.received = []
        self.statuses = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/billing/stripe/webhook/"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def types(self):
        return [json.loads(body)["type"] for _, body in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(fake):
    receiver = Receiver()
    fake.webhook_url = receiver.url
    yield receiver
    receiver.close()


# -- checkout and the shapes of this API version ------------------------------------------


def test_checkout_is_form_encoded_and_completes_into_a_subscription_whose_period_is_on_its_item(
    fake, client, price_id
):
    customer = client.v1.customers.create(
        params={"email": "alice@example.com", "metadata": {"user_id": "7"}}
    )
    session = client.v1.checkout.sessions.create(
        params=checkout_params(price_id, customer.id, allowed_payment_method_types=["card", "link"])
    )
    sent = fake.calls("checkout.sessions.create")[0]
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert sent.headers["idempotency-key"]
    assert sent.headers["stripe-version"] == API_VERSION == stripe.api_version
    assert sent.params["line_items"] == [{"price": price_id, "quantity": "1"}]
    assert sent.params["subscription_data"] == {"metadata": {"user_id": "7"}}
    assert session.object == "checkout.session" and session.id.startswith("cs_test_")
    assert session.url == f"{fake.base_url}/c/pay/{session.id}"
    assert (session.status, session.payment_status, session.subscription) == (
        "open",
        "unpaid",
        None,
    )
    assert session.expires_at == fake.now + 86400

    subscription_id = fake.complete_checkout(session.id)

    done = client.v1.checkout.sessions.retrieve(session.id)
    assert (done.status, done.payment_status, done.subscription) == (
        "complete",
        "paid",
        subscription_id,
    )
    sub = client.v1.subscriptions.retrieve(subscription_id)
    assert sub.status == "active" and sub.customer == customer.id
    assert sub.metadata.to_dict() == {"user_id": "7"}
    assert "current_period_end" not in sub and "current_period_start" not in sub
    item = sub["items"].data[0]
    assert item.price.id == price_id and item.quantity == 1
    assert item.current_period_end - item.current_period_start == MONTH
    invoice = client.v1.invoices.retrieve(sub.latest_invoice)
    assert invoice.parent.subscription_details.subscription == subscription_id
    assert "paid" not in invoice and "subscription" not in invoice
    assert (invoice.status, invoice.amount_paid, invoice.currency) == ("paid", 2900, "usd")
    assert invoice.lines.data[0].period.end == item.current_period_end


def test_hosted_checkout_page_declines_a_card_then_subscribes_and_redirects(fake, client, price_id):
    customer = client.v1.customers.create(params={"email": "alice@example.com"})
    session = client.v1.checkout.sessions.create(params=checkout_params(price_id, customer.id))

    status, _, text = page(session.url)
    assert status == 200
    assert "<title>Subscribe to AST Training Hub Pro</title>" in text
    assert "$29.00 per month" in text
    assert 'id="email"' in text and 'value="alice@example.com"' in text
    assert 'id="cardNumber"' in text and ">Subscribe</button>" in text
    assert 'href="http://hub.test/billing/?checkout=cancelled">Back</a>' in text

    status, _, text = page(session.url, {"email": "x", "cardNumber": "4000000000000002"})
    assert status == 200 and "Your card was declined." in text
    assert fake.subscriptions == {} and fake.events == {}

    status, headers, _ = page(session.url, {"cardNumber": "4242 4242 4242 4242"})
    assert status == 303
    assert headers["Location"] == f"http://hub.test/billing/?session_id={session.id}"
    assert len(fake.subscriptions) == 1
    assert [e["type"] for e in fake.events.values()] == [
        "customer.subscription.created",
        "invoice.paid",
        "checkout.session.completed",
    ]

    status, _, text = page(session.url, {"cardNumber": "4242424242424242"})
    assert "already complete" in text
    assert len(fake.subscriptions) == 1 and len(fake.events) == 3


def test_a_trial_starts_trialing_with_its_trial_as_the_items_period(fake, client, price_id):
    customer = client.v1.customers.create(params={"email": "t@example.com"})
    params = checkout_params(price_id, customer.id)
    params["subscription_data"]["trial_period_days"] = 14
    session = client.v1.checkout.sessions.create(params=params)
    sub = fake.subscriptions[fake.complete_checkout(session.id)]
    assert sub["status"] == "trialing" and sub["trial_end"] == fake.now + 14 * 86400
    assert sub["items"]["data"][0]["current_period_end"] == sub["trial_end"]
    assert fake.invoices[sub["latest_invoice"]]["amount_paid"] == 0
    fake.end_period(sub["id"])
    assert sub["status"] == "active"
    assert fake.invoices[sub["latest_invoice"]]["amount_paid"] == 2900


# -- refusals, in Stripe's shapes ----------------------------------------------------------


def test_unknown_parameters_like_payment_method_types_are_refused_like_stripe(
    fake, client, price_id
):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.checkout.sessions.create(
            params=checkout_params(price_id, payment_method_types=["card"])
        )
    error = refused.value
    assert error.http_status == 400
    assert (error.code, error.param) == ("parameter_unknown", "payment_method_types")
    assert error.user_message == "Received unknown parameter: payment_method_types"
    assert error.json_body["error"]["type"] == "invalid_request_error"
    assert error.json_body["error"]["doc_url"].endswith("/error-codes/parameter-unknown")
    assert error.request_id.startswith("req_")

    with pytest.raises(stripe.InvalidRequestError) as refused:
        params = checkout_params(price_id)
        params["line_items"][0]["prize"] = "x"
        client.v1.checkout.sessions.create(params=params)
    assert refused.value.param == "line_items[0][prize]"

    params = checkout_params(price_id)
    del params["mode"]
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.checkout.sessions.create(params=params)
    assert (refused.value.code, refused.value.param) == ("parameter_missing", "mode")

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.checkout.sessions.create(params=checkout_params(price_id, mode="subscribe"))
    assert refused.value.param == "mode" and "must be one of" in refused.value.user_message

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.checkout.sessions.create(params=checkout_params("price_nope"))
    assert refused.value.code == "resource_missing"
    assert refused.value.param == "line_items[0][price]"
    assert refused.value.user_message == "No such price: 'price_nope'"
    assert fake.checkout_sessions == {}


def test_unknown_ids_are_404_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.customers.retrieve("cus_x")
    assert missing.value.http_status == 404
    assert (missing.value.code, missing.value.param) == ("resource_missing", "id")
    assert missing.value.user_message == "No such customer: 'cus_x'"


def test_a_wrong_or_missing_key_and_another_api_version_are_refused(fake):
    with pytest.raises(stripe.AuthenticationError) as refused:
        client_for(fake, key="sk_test_other1234").v1.customers.retrieve("cus_x")
    assert refused.value.http_status == 401
    assert refused.value.user_message == "Invalid API Key provided: sk_test_*****1234"

    request = urllib.request.Request(f"{fake.base_url}/v1/customers/cus_x")
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=5)
    assert missing.value.code == 401 and missing.value.headers["Request-Id"].startswith("req_")
    assert "did not provide an API key" in json.load(missing.value)["error"]["message"]

    with pytest.raises(stripe.InvalidRequestError) as old:
        client_for(fake, stripe_version="2024-06-20").v1.customers.retrieve("cus_x")
    assert old.value.http_status == 400 and API_VERSION in old.value.user_message


# -- idempotency, retries and faults ---------------------------------------------------------


def test_an_idempotency_key_replays_the_same_object_and_refuses_a_changed_body(fake, client):
    options = {"idempotency_key": "asthub-customer-7"}
    first = client.v1.customers.create(params={"email": "a@example.com"}, options=options)
    again = client.v1.customers.create(params={"email": "a@example.com"}, options=options)
    assert again.id == first.id and len(fake.customers) == 1
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.last_response.headers

    with pytest.raises(stripe.IdempotencyError) as refused:
        client.v1.customers.create(params={"email": "b@example.com"}, options=options)
    assert refused.value.json_body["error"]["type"] == "idempotency_error"
    assert len(fake.customers) == 1


def test_a_429_is_retried_with_the_same_key_only_when_stripe_should_retry_says_so(fake):
    retrying = client_for(fake, retries=2)
    fake.fail("customers.create", status=429, should_retry=True)
    customer = retrying.v1.customers.create(params={"email": "a@example.com"})
    attempts = fake.calls("customers.create")
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[0].headers["idempotency-key"] == attempts[1].headers["idempotency-key"]
    assert list(fake.customers) == [customer.id]

    fake.fail("customers.create", status=429)  # no Stripe-Should-Retry header: not retried
    with pytest.raises(stripe.RateLimitError):
        retrying.v1.customers.create(params={"email": "b@example.com"})
    fake.fail("customers.create", status=429, should_retry=False)
    with pytest.raises(stripe.RateLimitError):
        retrying.v1.customers.create(params={"email": "c@example.com"})
    assert len(fake.calls("customers.create")) == 4


def test_server_card_and_slow_faults_surface_as_the_clients_errors(fake, client, price_id):
    fake.fail("subscriptions.list", status=500)
    with pytest.raises(stripe.APIError) as failed:
        client.v1.subscriptions.list()
    assert failed.value.http_status == 500
    assert client.v1.subscriptions.list().data == []

    fake.fail("customers.create", status=402)
    with pytest.raises(stripe.CardError) as declined:
        client.v1.customers.create(params={"email": "a@example.com"})
    assert declined.value.code == "card_declined"

    fake.slow("prices.retrieve", 0.2)
    started = time.monotonic()
    assert client.v1.prices.retrieve(price_id).unit_amount == 2900
    assert time.monotonic() - started >= 0.2
    with pytest.raises(ValueError):
        fake.fail("nope.create")


# -- lists and expand ----------------------------------------------------------------------


def test_lists_are_newest_first_and_page_with_starting_after(fake, client, price_id):
    subs = [checkout_and_pay(fake, client, price_id, f"u{i}@example.com")[2] for i in range(3)]
    first = client.v1.subscriptions.list(params={"limit": 2})
    assert [s.id for s in first.data] == [subs[2], subs[1]] and first.has_more
    assert first.url == "/v1/subscriptions"
    rest = client.v1.subscriptions.list(params={"limit": 2, "starting_after": first.data[-1].id})
    assert [s.id for s in rest.data] == [subs[0]] and not rest.has_more

    fake.cancel_now(subs[1])
    assert [s.id for s in client.v1.subscriptions.list().data] == [subs[2], subs[0]]
    everything = client.v1.subscriptions.list(params={"status": "all"})
    assert len(everything.data) == 3
    owner = fake.subscriptions[subs[0]]["customer"]
    invoices = client.v1.invoices.list(params={"customer": owner})
    assert [i.parent.subscription_details.subscription for i in invoices.data] == [subs[0]]

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.subscriptions.list(params={"limit": 0})
    assert refused.value.param == "limit"


def test_expand_replaces_ids_with_objects_and_refuses_what_cannot_expand(fake, client, price_id):
    customer_id, session_id, sub_id = checkout_and_pay(fake, client, price_id)
    session = client.v1.checkout.sessions.retrieve(
        session_id, params={"expand": ["subscription", "customer", "line_items"]}
    )
    assert fake.calls("checkout.sessions.retrieve")[0].params["expand"] == [
        "subscription",
        "customer",
        "line_items",
    ]
    assert isinstance(session.subscription, stripe.Subscription)
    assert session.subscription.id == sub_id and session.customer.id == customer_id
    assert session.line_items.data[0].price.id == price_id

    sub = client.v1.subscriptions.retrieve(
        sub_id, params={"expand": ["latest_invoice", "items.data.price.product"]}
    )
    assert sub.latest_invoice.object == "invoice"
    assert sub["items"].data[0].price.product.name == "AST Training Hub Pro"
    listed = client.v1.subscriptions.list(params={"expand": ["data.customer"]})
    assert listed.data[0].customer.email == "alice@example.com"

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.subscriptions.retrieve(sub_id, params={"expand": ["items.data.price"]})
    assert refused.value.user_message == "This property cannot be expanded (items.data.price)."
    with pytest.raises(stripe.InvalidRequestError):  # refused before anything is created
        client.v1.customers.create(params={"email": "b@example.com", "expand": ["invoice"]})
    assert len(fake.customers) == 1


# -- the subscription's life -----------------------------------------------------------------


def test_renewal_failure_payment_and_cancellation_emit_events_with_previous_attributes(
    fake, client, price_id
):
    _, _, sub_id = checkout_and_pay(fake, client, price_id)
    sub = fake.subscriptions[sub_id]
    end = sub["items"]["data"][0]["current_period_end"]

    renewal = fake.end_period(sub_id)
    assert fake.now == end
    assert sub["items"]["data"][0]["current_period_start"] == end
    assert fake.invoices[renewal]["billing_reason"] == "subscription_cycle"
    assert fake.invoices[renewal]["period_end"] == end  # the period that ended

    failed = fake.fail_renewal(sub_id)
    assert sub["status"] == "past_due" and fake.invoices[failed]["status"] == "open"
    fake.pay_invoice(sub_id)
    assert sub["status"] == "active" and fake.invoices[failed]["amount_paid"] == 2900

    fake.cancel_at_period_end(sub_id)
    assert sub["cancel_at"] == sub["items"]["data"][0]["current_period_end"]
    fake.end_period(sub_id)
    assert sub["status"] == "canceled" and sub["ended_at"] == fake.now
    events = list(fake.events.values())
    assert [e["type"] for e in events[3:]] == [
        "invoice.paid",
        "customer.subscription.updated",
        "invoice.payment_failed",
        "customer.subscription.updated",
        "invoice.paid",
        "customer.subscription.updated",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    ]
    assert events[4]["data"]["previous_attributes"]["latest_invoice"] != renewal
    assert events[6]["data"]["previous_attributes"]["status"] == "active"
    assert events[9]["data"]["previous_attributes"]["cancel_at_period_end"] is False
    assert events[9]["request"] == {"id": None, "idempotency_key": None}


def test_subscriptions_are_updated_and_canceled_through_the_api(fake, client, price_id):
    _, _, sub_id = checkout_and_pay(fake, client, price_id)
    updated = client.v1.subscriptions.update(
        sub_id, params={"cancel_at_period_end": True, "metadata": {"note": "x"}}
    )
    assert updated.cancel_at_period_end and updated.metadata.to_dict() == {
        "user_id": "7",
        "note": "x",
    }
    event = list(fake.events.values())[-1]
    assert event["type"] == "customer.subscription.updated"
    assert (
        event["request"]["idempotency_key"]
        == fake.calls("subscriptions.update")[0].headers["idempotency-key"]
    )
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.subscriptions.update(sub_id, params={"items": [{"price": price_id}]})
    assert refused.value.param == "items"

    canceled = client.v1.subscriptions.cancel(sub_id)
    assert canceled.status == "canceled"
    assert list(fake.events.values())[-1]["type"] == "customer.subscription.deleted"


def test_the_portal_lists_the_plan_and_cancels_then_renews_it(fake, client, price_id):
    customer_id, _, sub_id = checkout_and_pay(fake, client, price_id)
    portal = client.v1.billing_portal.sessions.create(
        params={"customer": customer_id, "return_url": "http://127.0.0.1:8000/portal/billing/"}
    )
    assert portal.url == f"{fake.base_url}/p/session/{portal.id}"
    _, _, text = page(portal.url)
    assert "Manage your subscription" in text and "AST Training Hub Pro" in text
    assert "Renews on" in text and ">Cancel plan</button>" in text
    assert 'href="http://127.0.0.1:8000/portal/billing/">Return to 127.0.0.1:8000</a>' in text

    origin = f"{urlsplit(portal.url).scheme}://{urlsplit(portal.url).netloc}"
    status, headers, _ = page(f"{portal.url}/cancel", {"subscription": sub_id})
    assert status == 303 and origin + headers["Location"] == portal.url
    assert fake.subscriptions[sub_id]["cancel_at_period_end"] is True
    _, _, text = page(portal.url)
    assert "Cancels on" in text and ">Renew plan</button>" in text

    page(f"{portal.url}/renew", {"subscription": sub_id})
    assert fake.subscriptions[sub_id]["cancel_at_period_end"] is False
    updates = [e for e in fake.events.values() if e["type"] == "customer.subscription.updated"]
    assert [u["data"]["object"]["cancel_at_period_end"] for u in updates] == [True, False]

    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.billing_portal.sessions.create(params={"customer": "cus_nope"})
    assert refused.value.param == "customer"


# -- webhooks ------------------------------------------------------------------------------


def test_webhooks_are_signed_so_construct_event_verifies_them(fake, client, price_id, receiver):
    _, session_id, sub_id = checkout_and_pay(fake, client, price_id)
    fake.wait_for_deliveries(3)
    assert receiver.types() == [
        "customer.subscription.created",
        "invoice.paid",
        "checkout.session.completed",
    ]
    for headers, body in receiver.received:
        assert headers["Content-Type"] == "application/json; charset=utf-8"
        event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET)
        assert event.api_version == API_VERSION and body == fake.payload(event.id)
    completed = json.loads(receiver.received[2][1])["data"]["object"]
    assert completed["id"] == session_id and completed["subscription"] == sub_id
    assert [d["status"] for d in fake.deliveries] == [200, 200, 200]

    body = receiver.received[0][1]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, fake.sign(body, secret="whsec_other"), SECRET)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, fake.sign(body, int(time.time()) - 301), SECRET)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body + b" ", fake.sign(body), SECRET)


def test_held_events_are_delivered_in_the_order_the_test_chooses(fake, client, price_id, receiver):
    fake.hold_events = True
    _, _, sub_id = checkout_and_pay(fake, client, price_id)
    fake.end_period(sub_id)  # a month later on the fake's clock
    held = list(fake.pending_events)
    assert len(held) == 5 and receiver.received == []
    for event_id in reversed(held):
        assert fake.deliver(event_id) == 200
    assert receiver.types() == [
        "customer.subscription.updated",
        "invoice.paid",
        "checkout.session.completed",
        "invoice.paid",
        "customer.subscription.created",
    ]
    assert fake.pending_events == []
    for headers, body in receiver.received:  # signed in real time, whatever the fake's clock
        stripe.Webhook.construct_event(body, headers["Stripe-Signature"], SECRET)


def test_an_unpaid_checkout_session_expires_after_a_day(fake, client, price_id):
    session = client.v1.checkout.sessions.create(params=checkout_params(price_id))
    fake.advance(days=1)
    assert client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    assert [e["type"] for e in fake.events.values()] == ["checkout.session.expired"]
    assert "has expired" in page(session.url)[2]
    with pytest.raises(ValueError):
        fake.complete_checkout(session.id)


def test_failed_deliveries_are_kept_and_redelivered(fake, client, price_id, receiver):
    receiver.statuses = [500]
    checkout_and_pay(fake, client, price_id)
    fake.wait_for_deliveries(3)
    assert [d["status"] for d in fake.deliveries] == [500, 200, 200]
    assert fake.redeliver_failed() == [200]
    assert receiver.types()[-1] == "customer.subscription.created"
    assert fake.redeliver_failed() == []
