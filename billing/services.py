"""Writes for billing: subscriptions, plan changes and operator overrides."""

from django.conf import settings
from django.db import transaction

from accounts import audit
from asthub_site.errors import InvalidInput
from billing.models import JobSlots, PlanOverride, Subscription
from billing.plans import catalog
from billing.quotas import month_start
from billing.signals import plan_changed


def ensure_subscription(*, user, actor=None) -> Subscription:
    """Every account has a subscription row (the default plan) and a slots row."""
    with transaction.atomic():
        subscription, created = Subscription.objects.get_or_create(
            user=user, defaults={"plan": settings.DEFAULT_PLAN}
        )
        JobSlots.objects.get_or_create(user=user, defaults={"period_start": month_start()})
        if created:
            audit.record(
                user=user,
                actor=actor,
                action="plan.assigned",
                target=subscription,
                detail={"plan": subscription.plan},
            )
    return subscription


def change_plan(*, user, plan: str, actor=None, reason: str = "") -> Subscription:
    if plan not in catalog():
        raise InvalidInput(f"Unknown plan {plan!r}; plans: {', '.join(catalog())}.")
    with transaction.atomic():
        subscription = ensure_subscription(user=user, actor=actor)
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        previous = subscription.plan
        if previous == plan:
            return subscription
        subscription.plan = plan
        subscription.save(update_fields=["plan", "updated_at"])
        audit.record(
            user=user,
            actor=actor,
            action="plan.changed",
            target=subscription,
            detail={"from": previous, "to": plan, "reason": reason},
        )
        # New limits apply to the next start; running jobs are never stopped by a change.
        transaction.on_commit(
            lambda: plan_changed.send(sender=Subscription, user_id=user.pk, old=previous, new=plan)
        )
    return subscription


def save_plan_override(*, override: PlanOverride, actor, changed: list[str]) -> PlanOverride:
    """Persist an operator's override edit together with its audit row."""
    with transaction.atomic():
        created = override.pk is None
        override.save()
        audit.record(
            user=override.user,
            actor=actor,
            action="plan.override_created" if created else "plan.override_changed",
            target=override,
            detail={name: _json(getattr(override, name)) for name in changed},
        )
    return override


def delete_plan_override(*, override: PlanOverride, actor) -> None:
    with transaction.atomic():
        audit.record(
            user=override.user, actor=actor, action="plan.override_removed", target=override
        )
        override.delete()


def _json(value):
    return value if isinstance(value, (int, bool, str, type(None))) else str(value)
