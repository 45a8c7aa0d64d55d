"""Plans that end with time rather than an event: a cancellation at its period's end and
a past_due subscription out of grace. Stripe's webhook normally does both; this runs in
beat so that an account never keeps Pro because a webhook was lost."""

import logging

from django.db.models import Q
from django.utils import timezone

from billing.models import PlanName, Subscription
from billing.payments.config import BillingUnavailable, billing_configured
from billing.payments.sync import grace_period, sync_subscription
from billing.services import change_plan

log = logging.getLogger(__name__)


def lapsed_accounts(now):
    ended = Q(cancel_at_period_end=True, current_period_end__lte=now)
    out_of_grace = Q(status="past_due", past_due_since__lte=now - grace_period())
    return Subscription.objects.filter(ended | out_of_grace, plan=PlanName.PRO).exclude(
        stripe_subscription_id=""
    )


def end_lapsed_subscriptions(now=None) -> int:
    """Move lapsed accounts to Free; returns how many moved. With Stripe configured the
    subscription is read again first (the person may have renewed or paid); without it,
    or when Stripe does not answer, the hub's own record decides."""
    now = now or timezone.now()
    moved = 0
    for account in lapsed_accounts(now).select_related("user"):
        if billing_configured():
            try:
                sync_subscription(
                    account, account.stripe_subscription_id, why="period check", now=now
                )
            except BillingUnavailable as error:
                log.warning("Could not re-read %s: %s", account.stripe_subscription_id, error)
            else:
                account.refresh_from_db()
                moved += account.plan == PlanName.FREE
                continue
        change_plan(
            user=account.user,
            plan=PlanName.FREE,
            reason="billing: the paid period ended"
            if account.cancel_at_period_end
            else "billing: payment past due beyond the grace period",
        )
        moved += 1
    return moved
