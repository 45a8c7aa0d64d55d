"""Wake-up signals for live job streams.

The database is the source of truth for statuses and metric points. When Redis is
configured, a write publishes the job id on a channel so that every web worker's open
event streams re-read the database at once; without Redis, streams poll the database.
"""

import logging

from django.conf import settings

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "asthub:job-events:"


def channel_for(job_id: int) -> str:
    return f"{CHANNEL_PREFIX}{job_id}"


_client = None


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    return _client


def publish_job_event(job_id: int) -> None:
    if not settings.REDIS_URL:
        return
    try:
        _redis().publish(channel_for(job_id), b"1")
    except Exception as exc:  # a lost wake-up only delays a stream to its next poll
        log.warning("could not publish job event for %s: %s", job_id, exc)
