"""Per-token request limits from the plan, counted in the shared cache (Redis in production).

A fixed one-minute window keyed by token (or session user): `cache.add` starts the window
and `cache.incr` counts atomically, so every web worker shares one count. REST and MCP
count against the same key, so a token has one budget whichever surface it uses.
"""

import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from accounts.models import ApiToken
from billing.effective_plan import effective_plan

WINDOW_SECONDS = 60


def token_rate_key(token_id: int) -> str:
    return f"rate:token:{token_id}"


def count_request(key: str, user) -> float | None:
    """Count one request against `user`'s plan under `key`; return the seconds to wait
    when the window's limit is exceeded, else None."""
    limit = effective_plan(user).api_requests_per_minute
    if limit.unlimited:
        return None
    window = int(time.time() // WINDOW_SECONDS)
    window_key = f"{key}:{window}"
    if cache.add(window_key, 1, timeout=WINDOW_SECONDS + 5):
        count = 1
    else:
        try:
            count = cache.incr(window_key)
        except ValueError:  # expired between add and incr
            cache.add(window_key, 1, timeout=WINDOW_SECONDS + 5)
            count = 1
    if count > limit.amount:
        return max(1.0, (window + 1) * WINDOW_SECONDS - time.time())
    return None


class PlanRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._retry_after: float | None = None

    def _key(self, request) -> str | None:
        if isinstance(request.auth, ApiToken):
            return token_rate_key(request.auth.pk)
        if request.user and request.user.is_authenticated:
            return f"rate:user:{request.user.pk}"
        return None

    def allow_request(self, request, view) -> bool:
        key = self._key(request)
        if key is None:
            return True
        self._retry_after = count_request(key, request.user)
        return self._retry_after is None

    def wait(self) -> float | None:
        return self._retry_after
