"""Per-account request limits from the plan, in a sliding 60-second window.

The limit is the account's: REST and MCP, API tokens, OAuth tokens (connected apps), the
portal session and the account's share links all count under one key
(`account_rate_key`), so an account has one budget however many tokens, apps or links it
holds. `billing.rate_window` keeps the window as an exact log of accepted requests, so
no 60 seconds ever let more than the limit through, even across a minute's edge. On
Redis the check and the count are one atomic script shared by every web worker and host;
embedded (no Redis) they are counted in the one web process.
"""

from rest_framework.throttling import BaseThrottle

from billing.plan_cache import cached_effective_plan
from billing.rate_window import sliding_window_wait

WINDOW_SECONDS = 60


def account_rate_key(user_id: int) -> str:
    return f"rate:user:{user_id}"


def count_request(key: str, user) -> float | None:
    """Count one request against `user`'s plan under `key`; return the seconds to wait
    when the last minute already holds the plan's limit, else None. The plan comes from
    memory (billing.plan_cache, emptied at once by a plan change), so this is the
    window's one round trip to Redis, or none embedded."""
    limit = cached_effective_plan(user).api_requests_per_minute
    if limit.unlimited:
        return None
    return sliding_window_wait(key, limit=limit.amount, window_seconds=WINDOW_SECONDS)


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
