"""Each account's effective plan, kept settings.AUTH_CACHE_SECONDS in this process: the rate
check reads it on every REST and MCP call, and reading it costs two queries.

Dropped at once, here and in every other process (accounts.invalidation), when the
account's Subscription or PlanOverride is saved or deleted, whatever did it (billing
services, Stripe webhooks, the admin, a shell): model signals, and for bulk updates the
models' querysets (billing.models). Quota decisions (billing.quotas) do not use it: they
read the plan inside their own transaction.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts import invalidation
from accounts.read_cache import ReadCache
from billing.effective_plan import effective_plan
from billing.models import PlanOverride, Subscription
from billing.plans import Plan

_plans = ReadCache()
invalidation.listen(invalidation.PLAN, _plans.drop)
invalidation.listen(invalidation.USER, _plans.drop)


def cached_effective_plan(user) -> Plan:
    """`effective_plan(user)`, from memory when it was read in the last few seconds."""
    key = str(user.pk)
    plan = _plans.get(key)
    if plan is None:
        since = _plans.generation()
        plan = effective_plan(user)
        _plans.put({key: plan}, since)  # a Plan is frozen: one instance serves every call
    return plan


@receiver(post_save, sender=Subscription)
@receiver(post_delete, sender=Subscription)
@receiver(post_save, sender=PlanOverride)
@receiver(post_delete, sender=PlanOverride)
def _plan_row_changed(sender, instance, **kwargs) -> None:
    invalidation.invalidate(invalidation.PLAN, instance.user_id)
