"""Send a person to Stripe: Checkout to subscribe to Pro, the Customer Portal to change
the card, read invoices or cancel."""

from django.db import transaction

from accounts import audit
from asthub_site.errors import Conflict
from billing.models import PlanName, Subscription
from billing.payments import gateway
from billing.payments.config import LIVE_STATUSES, require_billing
from billing.services import ensure_subscription


def _customer_of(user) -> str:
    """The account's Stripe Customer, created on first use."""
    account = ensure_subscription(user=user)
    if account.stripe_customer_id:
        return account.stripe_customer_id
    customer_id = gateway.create_customer(user_id=user.pk, email=user.email)
    with transaction.atomic():
        # Conditional: a concurrent request stored the same customer (same idempotency key).
        Subscription.objects.filter(pk=account.pk, stripe_customer_id="").update(
            stripe_customer_id=customer_id
        )
        audit.record(
            user=user,
            actor=user,
            action="billing.customer_created",
            target=account,
            detail={"customer": customer_id},
        )
    return Subscription.objects.get(pk=account.pk).stripe_customer_id


def start_checkout(*, user) -> str:
    """A Stripe Checkout URL that subscribes this account to Pro."""
    require_billing()
    account = ensure_subscription(user=user)
    if account.plan == PlanName.ENTERPRISE:
        raise Conflict("This account is on Enterprise, set by the hub's operator.")
    if account.plan == PlanName.PRO and account.status in LIVE_STATUSES:
        raise Conflict(
            "This account is already on Pro. Use Manage billing (POST /api/v1/billing/portal) "
            "to change the card, see invoices or cancel."
        )
    session = gateway.create_checkout_session(
        user_id=user.pk,
        customer_id=_customer_of(user),
        state=f"{account.stripe_subscription_id or 'new'}-{account.status}",
    )
    audit.record(
        user=user,
        actor=user,
        action="billing.checkout_started",
        target=account,
        detail={"session": session.id},
    )
    return session.url


def open_billing_portal(*, user) -> str:
    """A Stripe Customer Portal URL for this account's subscription and invoices."""
    require_billing()
    account = ensure_subscription(user=user)
    if not account.stripe_customer_id:
        raise Conflict(
            "This account has never subscribed, so there is no billing to manage yet. "
            "Upgrade first (POST /api/v1/billing/checkout)."
        )
    return gateway.create_portal_session(customer_id=account.stripe_customer_id).url
