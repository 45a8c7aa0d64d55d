"""Wake-up signals for anything that follows a job, a publication or a submission live.

The database is the source of truth for statuses and metric points. When Redis is
configured, a write publishes the object's id on a channel of its own, so that every open
event stream (SSE) and every waiting MCP call re-reads the database at once; without
Redis (embedded mode) the followers poll the database instead.
"""

import asyncio
import logging

from django.conf import settings

log = logging.getLogger(__name__)

# Without Redis, followers re-read the database this often.
POLL_SECONDS = 0.5
# With Redis, followers re-read this often even without a message, in case one was lost
# (a publish that failed, a subscription that dropped).
REDIS_RECHECK_SECONDS = 5.0


def channel_for(job_id: int, kind: str = "job") -> str:
    return f"asthub:{kind}-events:{job_id}"


_client = None


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    return _client


def publish_event(kind: str, object_id: int) -> None:
    if not settings.REDIS_URL:
        return
    try:
        _redis().publish(channel_for(object_id, kind), b"1")
    except Exception as exc:  # a lost wake-up only delays a follower to its next recheck
        log.warning("could not publish %s event for %s: %s", kind, object_id, exc)


def publish_job_event(job_id: int) -> None:
    publish_event("job", job_id)


class Waker:
    """Waits for the next wake-up on one channel: a Redis message when configured, else a
    short sleep. Open it before the first read, so that a write between the read and the
    wait still wakes the follower."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.client = None
        self.pubsub = None

    async def __aenter__(self) -> "Waker":
        if settings.REDIS_URL:
            import redis.asyncio as aioredis

            self.client = aioredis.Redis.from_url(settings.REDIS_URL)
            self.pubsub = self.client.pubsub()
            await self.pubsub.subscribe(self.channel)
        return self

    async def wait(self, at_most: float = float("inf")) -> None:
        if self.pubsub is None:
            await asyncio.sleep(min(POLL_SECONDS, at_most))
            return
        await self.pubsub.get_message(
            ignore_subscribe_messages=True, timeout=min(REDIS_RECHECK_SECONDS, at_most)
        )

    async def __aexit__(self, *exc_info) -> None:
        if self.pubsub is not None:
            await self.pubsub.aclose()
            await self.client.aclose()
