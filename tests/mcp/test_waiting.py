"""wait_seconds wakes on the job event signal (Redis) the moment something changes, and
polls the database only in embedded mode."""

import asyncio
import threading
import time

import pytest
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken

from jobs.events import REDIS_RECHECK_SECONDS, channel_for, publish_event
from mcp_gateway.waiting import wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("mcp_db_threads_closed"),
]


def _wait(user, *, done_after: float, seconds: float, channel: str):
    """wait_until on a value that becomes done `done_after` seconds in, with a publish on
    `channel` then; returns (answer, reads, elapsed)."""
    state = {"done": False, "reads": 0}

    def read(_user):
        state["reads"] += 1
        return state["done"]

    def finish_later():
        time.sleep(done_after)
        state["done"] = True
        publish_event("job", 424242)

    async def go():
        token = AccessToken(token="t", client_id="t", scopes=["jobs:read"], subject=str(user.pk))
        reset = auth_context_var.set(AuthenticatedUser(token))
        try:
            return await wait_until(read, done=bool, seconds=seconds, channel=channel)
        finally:
            auth_context_var.reset(reset)

    threading.Thread(target=finish_later, daemon=True).start()
    began = time.monotonic()
    answer, _ = asyncio.run(go())
    return answer, state["reads"], time.monotonic() - began


@pytest.mark.redis
def test_a_waiting_call_wakes_on_the_redis_signal_not_a_poll(alice):
    answer, reads, elapsed = _wait(alice, done_after=0.5, seconds=60, channel=channel_for(424242))
    assert answer is True
    # Woken by the publish, well before the safety recheck; no polling in between.
    assert elapsed < REDIS_RECHECK_SECONDS
    assert reads <= 3


def test_without_redis_a_waiting_call_polls_and_stops_at_its_deadline(alice, settings):
    settings.REDIS_URL = ""
    answer, reads, elapsed = _wait(alice, done_after=60, seconds=1.2, channel="unused")
    assert answer is False
    assert reads >= 2 and elapsed >= 1.2
