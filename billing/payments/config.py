"""Whether this hub bills through Stripe, and the one Stripe client it uses."""

from django.conf import settings

from asthub_site.errors import HubError

# What the hub calls a subscription that may use its plan (past_due only in its grace).
LIVE_STATUSES = frozenset({"active", "trialing", "past_due"})


class BillingNotConfigured(HubError):
    status = 409
    code = "billing_not_configured"


class BillingUnavailable(HubError):
    """Stripe did not answer, or answered with an error that is not the user's doing."""

    status = 502
    code = "billing_unavailable"


def billing_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PRICE_PRO)


def webhooks_configured() -> bool:
    return billing_configured() and bool(settings.STRIPE_WEBHOOK_SECRET)


def require_billing() -> None:
    if not billing_configured():
        raise BillingNotConfigured(
            "Billing is not configured on this hub: plans are assigned by its operator "
            "(Enterprise limits come from ENTERPRISE_LIMITS)."
        )


def billing_page_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/portal/billing/"


def tier_of_price(price_id: str) -> str | None:
    """The hub plan a Stripe Price sells, or None for a price this hub does not sell."""
    tiers = {settings.STRIPE_PRICE_PRO: "pro"} if settings.STRIPE_PRICE_PRO else {}
    return tiers.get(price_id)


def dashboard_url(kind: str, object_id: str) -> str:
    """The object in Stripe's dashboard (test-mode objects live under /test/)."""
    mode = "test/" if settings.STRIPE_SECRET_KEY.startswith(("sk_test_", "rk_test_")) else ""
    return f"https://dashboard.stripe.com/{mode}{kind}/{object_id}"
