"""Bring an account's plan in line with its Stripe subscription.

Stripe is the source of truth and its events arrive late, twice or out of order, so no
event's snapshot is applied: the subscription is read again from Stripe while the
account's row is locked. Whatever order events come in, the last one applied carries
the newest state, and two deliveries cannot interleave a read and a write.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import audit
from billing.models import PlanName, Subscription
from billing.payments import gateway
from billing.payments.config import LIVE_STATUSES, tier_of_price
from billing.services import change_plan, ensure_subscription


@dataclass(frozen=True)
class StripeState:
    """The parts of a Stripe subscription the hub keeps (API version 2026-10-28: the
    billing period lives on the subscription's items)."""

    subscription_id: str
    customer_id: str
    status: str
    price_ids: tuple[str, ...]
    cancel_at_period_end: bool
    current_period_end: datetime | None

    @classmethod
    def of(cls, subscription) -> "StripeState":
        data = subscription if isinstance(subscription, dict) else subscription.to_dict()
        items = (data.get("items") or {}).get("data") or []
        ends = [item["current_period_end"] for item in items if item.get("current_period_end")]
        customer = data.get("customer")
        return cls(
            subscription_id=data["id"],
            customer_id=customer["id"] if isinstance(customer, dict) else str(customer or ""),
            status=str(data.get("status") or ""),
            price_ids=tuple(
                (item.get("price") or {}).get("id", "") for item in items if item.get("price")
            ),
            cancel_at_period_end=bool(data.get("cancel_at_period_end")),
            current_period_end=datetime.fromtimestamp(max(ends), UTC) if ends else None,
        )

    @property
    def tier(self) -> str | None:
        tiers = {tier_of_price(price) for price in self.price_ids} - {None}
        return tiers.pop() if len(tiers) == 1 else None


def grace_period() -> timedelta:
    return timedelta(days=settings.BILLING_PAST_DUE_GRACE_DAYS)


def plan_for(state: StripeState, *, past_due_since: datetime | None, now: datetime) -> str:
    """The plan a subscription in this state pays for right now."""
    tier = state.tier or PlanName.FREE
    if state.status in {"active", "trialing"}:
        return tier
    if state.status == "past_due" and past_due_since and now - past_due_since < grace_period():
        return tier
    return PlanName.FREE


def account_for(
    *, subscription_id: str, customer_id: str, user_id: str = ""
) -> Subscription | None:
    """The account a Stripe subscription belongs to: the one that holds it, else the one
    whose customer it is billed to, else the one the hub named when it started Checkout."""
    found = Subscription.objects.filter(stripe_subscription_id=subscription_id).first()
    if found is None and customer_id:
        found = Subscription.objects.filter(stripe_customer_id=customer_id).first()
    if found is None and user_id.isdigit():
        found = Subscription.objects.filter(user_id=int(user_id), stripe_customer_id="").first()
    return found


def sync_subscription(
    account: Subscription, subscription_id: str, *, why: str, now: datetime | None = None
) -> str:
    """Read the subscription from Stripe and apply it to `account`; returns what it did."""
    with transaction.atomic():
        row = Subscription.objects.select_for_update().get(pk=account.pk)
        state = StripeState.of(gateway.retrieve_subscription(subscription_id))
        return apply_state(row, state, why=why, now=now or timezone.now())


def apply_state(row: Subscription, state: StripeState, *, why: str, now: datetime) -> str:
    """Apply a freshly read Stripe state to a locked row (in the caller's transaction)."""
    if row.stripe_customer_id and state.customer_id and row.stripe_customer_id != state.customer_id:
        return f"ignored: {state.subscription_id} bills another customer"
    current = row.stripe_subscription_id
    if current and current != state.subscription_id and state.status not in LIVE_STATUSES:
        # An old subscription ending must not end the one the account pays for now.
        return f"ignored: {state.subscription_id} is not the account's subscription"
    past_due_since = (row.past_due_since or now) if state.status == "past_due" else None
    previous_status = row.status
    row.stripe_subscription_id = state.subscription_id
    row.stripe_customer_id = row.stripe_customer_id or state.customer_id
    row.stripe_price_id = state.price_ids[0] if state.price_ids else ""
    row.status = state.status
    row.cancel_at_period_end = state.cancel_at_period_end
    row.current_period_end = state.current_period_end
    row.past_due_since = past_due_since
    row.stripe_synced_at = now
    row.save()
    if previous_status != state.status:
        audit.record(
            user=row.user,
            actor=None,
            action="billing.status_changed",
            target=row,
            detail={"from": previous_status, "to": state.status, "why": why},
        )
    if row.plan == PlanName.ENTERPRISE:
        return f"{state.status}; Enterprise is assigned by the operator, left as it is"
    plan = plan_for(state, past_due_since=past_due_since, now=now)
    if plan != row.plan:
        change_plan(
            user=row.user,
            plan=plan,
            reason=f"stripe: subscription {state.subscription_id} is {state.status} ({why})",
        )
        return f"{state.status}: plan {row.plan} → {plan}"
    return f"{state.status}: plan stays {plan}"


def confirm_checkout(*, user, session_id: str) -> str | None:
    """The person came back from Checkout: apply its subscription now rather than wait for
    the webhook. Returns the outcome, or None when the session is not this account's or
    not paid (yet)."""
    session = gateway.retrieve_checkout_session(session_id)
    if session.client_reference_id != str(user.pk) or session.status != "complete":
        return None
    if not session.subscription:
        return None
    account = ensure_subscription(user=user)
    subscription_id = (
        session.subscription if isinstance(session.subscription, str) else session.subscription.id
    )
    return sync_subscription(account, subscription_id, why="returned from Checkout")
