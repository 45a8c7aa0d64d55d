"""Billing's periodic work (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from billing.payments.lapse import end_lapsed_subscriptions as end_lapsed


@shared_task(name="billing.tasks.end_lapsed_subscriptions")
def end_lapsed_subscriptions() -> int:
    return end_lapsed()
