"""Periodic account upkeep, scheduled by Celery beat (asthub_site.settings)."""

from celery import shared_task

from accounts.oauth_server.services import expire_oauth_leftovers as sweep


@shared_task(name="accounts.tasks.expire_oauth_leftovers", ignore_result=True)
def expire_oauth_leftovers() -> int:
    return sweep()
