"""The Stripe calls the hub makes, through the official client. Stripe's failures become
hub errors: a refusal it explains (a bad price, a deleted customer) is the operator's to
fix and says so; an outage or rate limit is "try again"; neither is ever a 500."""

import logging
import time
from functools import cache

import stripe
from django.conf import settings

from asthub_site.errors import NotFound
from billing.payments.config import BillingUnavailable, require_billing

log = logging.getLogger(__name__)

# Double clicks within this many seconds reuse one Checkout Session (Stripe idempotency).
CHECKOUT_REUSE_SECONDS = 600
SESSION_ID = "{CHECKOUT_SESSION_ID}"


@cache
def _client_for(key: str, api_base: str, timeout: float) -> stripe.StripeClient:
    return stripe.StripeClient(
        key,
        base_addresses={"api": api_base} if api_base else {},
        # Retries reuse the request's idempotency key, so a retried create makes one object.
        max_network_retries=2,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def client() -> stripe.StripeClient:
    require_billing()
    return _client_for(
        settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.PLATFORM_HTTP_TIMEOUT_SECONDS
    )


def _call(what: str, request, *, missing: str = ""):
    try:
        return request()
    except stripe.StripeError as error:
        log.warning("Stripe refused %s: %s", what, error)
        if missing and isinstance(error, stripe.InvalidRequestError) and error.http_status == 404:
            raise NotFound(missing) from error
        if isinstance(error, stripe.RateLimitError | stripe.APIConnectionError | stripe.APIError):
            raise BillingUnavailable(
                f"Stripe did not answer ({what}); nothing was charged. Try again in a minute."
            ) from error
        raise BillingUnavailable(
            f"Stripe refused {what}: {error.user_message or 'see the hub log'}. The hub's "
            "operator must check its Stripe settings (STRIPE_SECRET_KEY, STRIPE_PRICE_PRO)."
        ) from error


def create_customer(*, user_id: int, email: str) -> str:
    customer = _call(
        "creating your billing customer",
        lambda: client().v1.customers.create(
            params={"email": email, "metadata": {"user_id": str(user_id)}},
            # One customer per account even when two requests race to create it.
            options={"idempotency_key": f"asthub-customer-{user_id}"},
        ),
    )
    return customer.id


def create_checkout_session(
    *, user_id: int, customer_id: str, state: str
) -> stripe.checkout.Session:
    """`state` names the account's subscription state: a double click reuses one
    session, and a new subscription after a cancelled one gets a new one."""
    base = settings.PUBLIC_BASE_URL
    params = {
        "mode": "subscription",
        "customer": customer_id,
        "client_reference_id": str(user_id),
        "line_items": [{"price": settings.STRIPE_PRICE_PRO, "quantity": 1}],
        # Stripe fills in {CHECKOUT_SESSION_ID}; the page applies that session at once.
        "success_url": f"{base}/portal/billing/?checkout=success&session_id={SESSION_ID}",
        "cancel_url": f"{base}/portal/billing/?checkout=cancelled",
        "subscription_data": {"metadata": {"user_id": str(user_id)}},
        "metadata": {"user_id": str(user_id)},
    }
    window = int(time.time() // CHECKOUT_REUSE_SECONDS)
    return _call(
        "starting Checkout",
        lambda: client().v1.checkout.sessions.create(
            params=params,
            options={"idempotency_key": f"asthub-checkout-{user_id}-{state}-{window}"},
        ),
    )


def create_portal_session(*, customer_id: str) -> stripe.billing_portal.Session:
    return _call(
        "opening the billing portal",
        lambda: client().v1.billing_portal.sessions.create(
            params={
                "customer": customer_id,
                "return_url": f"{settings.PUBLIC_BASE_URL}/portal/billing/",
            }
        ),
    )


def retrieve_checkout_session(session_id: str) -> stripe.checkout.Session:
    return _call(
        "reading the Checkout Session",
        lambda: client().v1.checkout.sessions.retrieve(session_id),
        missing=f"No Checkout Session {session_id!r}.",
    )


def retrieve_subscription(subscription_id: str) -> stripe.Subscription:
    return _call(
        "reading the subscription",
        lambda: client().v1.subscriptions.retrieve(subscription_id),
    )
