"""The plan that applies to a user: their subscription's plan with operator overrides."""

from billing.models import PlanOverride, Subscription
from billing.plans import LIMIT_NAMES, Limit, Plan, plan_named, with_overrides


def _overrides(override: PlanOverride | None) -> dict[str, Limit]:
    if override is None:
        return {}
    limits: dict[str, Limit] = {}
    for name in LIMIT_NAMES:
        if getattr(override, f"unlimited_{name}"):
            limits[name] = Limit.none()
        elif getattr(override, name) is not None:
            limits[name] = Limit.of(getattr(override, name))
    return limits


def effective_plan(user) -> Plan:
    subscription = Subscription.objects.filter(user=user).only("plan").first()
    plan = plan_named(subscription.plan if subscription else "free")
    override = PlanOverride.objects.filter(user=user).first()
    return with_overrides(plan, _overrides(override))
