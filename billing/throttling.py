"""Per-token request limits from the plan, counted in the shared cache (Redis in production).

A fixed one-minute window keyed by token (or session user): `cache.add` starts the window
and `cache.incr` counts atomically, so every web worker shares one count.
"""

import time

from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from accounts.models import ApiToken
from billing.effective_plan import effective_plan

WINDOW_SECONDS = 60


class PlanRateThrottle(BaseThrottle):
    def __init__(self) -> None:
        self._retry_after: float | None = None

    def _key(self, request) -> str | None:
        if isinstance(request.auth, ApiToken):
            return f"rate:token:{request.auth.pk}"
        if request.user and request.user.is_authenticated:
            return f"rate:user:{request.user.pk}"
        return None

    def allow_request(self, request, view) -> bool:
        key = self._key(request)
        if key is None:
            return True
        limit = effective_plan(request.user).api_requests_per_minute
        if limit.unlimited:
            return True
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
            self._retry_after = (window + 1) * WINDOW_SECONDS - time.time()
            return False
        return True

    def wait(self) -> float | None:
        return max(1.0, self._retry_after) if self._retry_after is not None else None
