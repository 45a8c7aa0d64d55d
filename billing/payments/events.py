"""What each Stripe event means for an account. Every handled event comes down to "read
this subscription from Stripe again and apply it" (billing.payments.sync); the event
tells which subscription, and whose."""

from datetime import UTC, datetime

from django.db import IntegrityError, transaction

from accounts import audit
from billing.models import StripeEvent, Subscription
from billing.payments.sync import account_for, sync_subscription

HANDLED = frozenset(
    {
        "checkout.session.completed",
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.paid",
        "invoice.payment_failed",
    }
)


class MalformedEvent(ValueError):
    """A correctly signed body that is not an event this hub can read."""


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _id_of(value) -> str:
    """An expandable field: an id, or the object it was expanded into."""
    if isinstance(value, dict):
        return _text(value.get("id"))
    return _text(value)


def read_event(data) -> tuple[str, str, datetime, dict]:
    """(id, type, created, data.object) of a parsed event body, or MalformedEvent."""
    if not isinstance(data, dict):
        raise MalformedEvent("The body is not a Stripe event object.")
    event_id, kind, created = data.get("id"), data.get("type"), data.get("created")
    obj = (data.get("data") or {}).get("object") if isinstance(data.get("data"), dict) else None
    if not (isinstance(event_id, str) and event_id.startswith("evt_") and len(event_id) <= 255):
        raise MalformedEvent("The event has no valid id.")
    if not isinstance(kind, str) or not kind or len(kind) > 100:
        raise MalformedEvent("The event has no valid type.")
    if not isinstance(created, int) or isinstance(created, bool) or not 0 < created < 2**35:
        raise MalformedEvent("The event has no valid created time.")
    if not isinstance(obj, dict):
        raise MalformedEvent("The event carries no object.")
    return event_id, kind, datetime.fromtimestamp(created, UTC), obj


def _subscription_and_account(kind: str, obj: dict) -> tuple[str, Subscription | None]:
    if kind == "checkout.session.completed":
        if obj.get("mode") != "subscription":
            return "", None
        subscription_id = _id_of(obj.get("subscription"))
        user_id = _text(obj.get("client_reference_id"))
        customer_id = _id_of(obj.get("customer"))
    elif kind.startswith("customer.subscription."):
        subscription_id = _text(obj.get("id"))
        customer_id = _id_of(obj.get("customer"))
        user_id = _text((obj.get("metadata") or {}).get("user_id"))
    else:  # invoice.*: reaches its subscription through parent.subscription_details
        details = (obj.get("parent") or {}).get("subscription_details") or {}
        subscription_id = _id_of(details.get("subscription"))
        customer_id = _id_of(obj.get("customer"))
        user_id = _text((details.get("metadata") or {}).get("user_id"))
    if not subscription_id:
        return "", None
    account = account_for(subscription_id=subscription_id, customer_id=customer_id, user_id=user_id)
    return subscription_id, account


def process_event(data) -> tuple[str, bool]:
    """Apply a verified event once. Returns (outcome, replayed).

    The event's id is stored in the transaction that applies it: a replay finds it and
    changes nothing, and a concurrent duplicate fails on the unique id and rolls back.
    BillingUnavailable (Stripe could not be read) propagates with nothing stored, so
    Stripe delivers the event again later.
    """
    event_id, kind, created, obj = read_event(data)
    if StripeEvent.objects.filter(event_id=event_id).exists():
        return "replayed: already processed", True
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(event_id=event_id, type=kind, created=created)
            outcome, user = _apply(kind, obj)
            record.outcome = outcome[:300]
            record.user = user
            record.save(update_fields=["outcome", "user"])
    except IntegrityError:
        return "replayed: processed by a concurrent delivery", True
    return outcome, False


def _apply(kind: str, obj: dict):
    if kind not in HANDLED:
        return "ignored: not an event this hub acts on", None
    subscription_id, account = _subscription_and_account(kind, obj)
    if not subscription_id:
        return "ignored: no subscription", None
    if account is None:
        return f"ignored: {subscription_id} belongs to no account of this hub", None
    outcome = sync_subscription(account, subscription_id, why=kind)
    if kind == "invoice.payment_failed":
        audit.record(
            user=account.user,
            actor=None,
            action="billing.payment_failed",
            target=account,
            detail={"invoice": _text(obj.get("id")), "subscription": subscription_id},
        )
    return outcome, account.user
