"""Count one event in a sliding window: at most `limit` events under a key in any
`window_seconds`, wherever the window's edge falls.

A fixed window (a counter per calendar minute) lets 2 x limit through across an edge: a
burst just before the minute turns and another just after. So is a token bucket of
capacity L refilled at L per window (a full bucket, then a window's refill). This keeps an
exact log of the accepted events instead, and refuses an event while `limit` of them are
younger than `window_seconds`. A refused event is not logged, so hammering a full window
does not extend the wait.

With Redis (settings.REDIS_URL) the log is a sorted set per key (score: the event's time),
read and written by one Lua script, so the check and the count are one atomic step for
every web worker on every host. Without Redis (embedded mode) it is a log in this process.
"""

import collections
import functools
import math
import threading
import time
import uuid

from django.conf import settings

# The time every check uses, read here rather than by Redis (TIME) so that tests can move
# it across a window's edge. Web hosts are NTP-synced: milliseconds of skew between them
# are nothing against a window of a minute or an hour.
_clock = time.time

# KEYS[1]: the log; ARGV: now, window (seconds), limit, a unique member for this event,
# "1" to count the event or "0" only to look. Returns nil when the window has room (and
# the event was counted, if asked), else the seconds until the oldest event leaves (as a
# string: Redis turns a Lua number into an integer).
_SCRIPT = """
local key = KEYS[1]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  if ARGV[5] == '1' then
    redis.call('ZADD', key, now, ARGV[4])
    redis.call('PEXPIRE', key, math.ceil(window * 1000))
  end
  return false
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
if oldest[2] == nil then
  return tostring(window)
end
return tostring(tonumber(oldest[2]) + window - now)
"""


def sliding_window_wait(
    key: str, *, limit: int, window_seconds: int, record: bool = True
) -> float | None:
    """Count one event under `key` and return None when fewer than `limit` were counted
    in the last `window_seconds`; otherwise count nothing and return the seconds until
    the oldest counted event leaves the window (at least 1.0). With `record=False` it
    only looks: the same answer, nothing counted (a check before an event that may not
    happen, such as a failed sign-in)."""
    now = _clock()
    window = {"now": now, "limit": limit, "window_seconds": window_seconds, "record": record}
    wait = (_redis_wait if settings.REDIS_URL else _local_wait)(key, **window)
    return None if wait is None else max(1.0, wait)


# --- Redis: one sorted set per key, shared by every process --------------------------


@functools.lru_cache(maxsize=4)
def _script_for(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2)
    return client.register_script(_SCRIPT)  # EVALSHA, loading the script when missing


def _redis_key(key: str) -> str:
    # Beside the cache's own keys, so that cache.clear() (FLUSHDB) clears the logs too.
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"{prefix}:{key}" if prefix else key


def _redis_wait(
    key: str, *, now: float, limit: int, window_seconds: int, record: bool
) -> float | None:
    member = f"{now!r}:{uuid.uuid4().hex[:8]}"
    reply = _script_for(settings.REDIS_URL)(
        keys=[_redis_key(key)],
        args=[repr(now), window_seconds, limit, member, "1" if record else "0"],
    )
    return None if reply is None else float(reply)


# --- Embedded: a log in this process ---------------------------------------------------

_local_lock = threading.Lock()
_local_windows: dict[str, collections.deque[float]] = {}
_local_longest_window = 0.0
_local_next_sweep = -math.inf


def _local_wait(
    key: str, *, now: float, limit: int, window_seconds: int, record: bool
) -> float | None:
    """The same log in this process's memory: counts are per process, not shared.

    That is enough embedded: without REDIS_URL the hub serves every request, REST, MCP
    and share links, from one web process (run_hub's single uvicorn; the Celery workers
    count nothing), so that process's count is the account's. A restarted web process
    starts with empty logs. Several web processes or hosts need Redis."""
    global _local_longest_window, _local_next_sweep
    with _local_lock:
        if now >= _local_next_sweep:
            _sweep(now)
            _local_next_sweep = now + 60
        _local_longest_window = max(_local_longest_window, window_seconds)
        events = _local_windows.get(key)
        if events is None:
            events = collections.deque()
        while events and events[0] <= now - window_seconds:
            events.popleft()
        if len(events) < limit:
            if record:
                events.append(now)
                _local_windows[key] = events
            return None
        if not events:  # limit 0: nothing is ever counted
            _local_windows.pop(key, None)
            return float(window_seconds)
        return events[0] + window_seconds - now


def _sweep(now: float) -> None:
    """Drop the keys whose newest event is past the longest window in use (so past their
    own): an address or account seen once does not stay in memory."""
    horizon = now - _local_longest_window
    for key in [key for key, events in _local_windows.items() if events[-1] <= horizon]:
        del _local_windows[key]


def reset_local_windows() -> None:
    """Forget every in-process log (for tests)."""
    global _local_longest_window, _local_next_sweep
    with _local_lock:
        _local_windows.clear()
        _local_longest_window = 0.0
        _local_next_sweep = -math.inf
