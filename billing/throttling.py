"""Per-account request limits from the plan, counted in the shared cache (Redis in
production).

A fixed one-minute window keyed by account: `cache.add` starts the window and
`cache.incr` counts atomically, so every web worker shares one count. REST and MCP, API
tokens, OAuth tokens and the portal session all count against the same key, so an
account has one budget however many tokens or connected apps it holds.
"""

import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from billing.effective_plan import effective_plan

WINDOW_SECONDS = 60


def account_rate_key(user_id: int) -> str:
    return f"rate:user:{user_id}"


def window_wait(key: str, *, limit: int, window_seconds: int) -> float | None:
    """Count one event under `key` in the current fixed window; the seconds until the
    window ends when this event is past `limit`, else None."""
    window = int(time.time() // window_seconds)
    window_key = f"{key}:{window}"
    if cache.add(window_key, 1, timeout=window_seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(window_key)
        except ValueError:  # expired between add and incr
            cache.add(window_key, 1, timeout=window_seconds + 5)
            count = 1
    if count > limit:
        return max(1.0, (window + 1) * window_seconds - time.time())
    return None


def count_request(key: str, user) -> float | None:
    """Count one request against `user`'s plan under `key`; return the seconds to wait
    when the window's limit is exceeded, else None."""
    limit = effective_plan(user).api_requests_per_minute
    if limit.unlimited:
        return None
    return window_wait(key, limit=limit.amount, window_seconds=WINDOW_SECONDS)


class PlanRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._retry_after: float | None = None

    def _key(self, request) -> str | None:
        if request.user and request.user.is_authenticated:
            return account_rate_key(request.user.pk)
        return None

    def allow_request(self, request, view) -> bool:
        key = self._key(request)
        if key is None:
            return True
        self._retry_after = count_request(key, request.user)
        return self._retry_after is None

    def wait(self) -> float | None:
        return self._retry_after
