"""`wait_seconds` for every tool that can follow something to its end (a run, a
publication, a submission): re-read it each time it changes, until it is done or the time
is up.

It wakes on the same Redis signal as the job event stream (jobs.events), so an epoch or a
final status reaches the assistant the moment a worker writes it; only in embedded mode
(no Redis) does it poll the database, twice a second. Every read after the first is free
against the rate limit: one tool call counts once, as one REST request does.
"""

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from accounts.models import User
from jobs.events import Waker
from mcp_gateway.calls import call_as_user

T = TypeVar("T")

MAX_WAIT_SECONDS = 600


async def wait_until(
    read: Callable[[User], T],
    *,
    done: Callable[[T], bool],
    seconds: float,
    channel: str,
    on_read: Callable[[T], Awaitable[None]] | None = None,
    count_first_read: bool = True,
) -> tuple[T, float]:
    """Read (as the token's user) until `done(answer)` or `seconds` have passed; return
    the last answer and the seconds waited. `on_read` sees every answer (progress
    notifications)."""
    started = time.monotonic()
    if seconds <= 0:
        answer = await call_as_user(read, count=count_first_read)
        if on_read is not None:
            await on_read(answer)
        return answer, 0.0
    # Subscribed before the first read: a write between the read and the wait still wakes.
    async with Waker(channel) as waker:
        answer = await call_as_user(read, count=count_first_read)
        while True:
            if on_read is not None:
                await on_read(answer)
            remaining = seconds - (time.monotonic() - started)
            if done(answer) or remaining <= 0:
                return answer, time.monotonic() - started
            await waker.wait(at_most=remaining)
            answer = await call_as_user(read, count=False)
