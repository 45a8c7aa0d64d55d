"""When and how long to wait before repeating a request."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    """Limits for automatic retries.

    Connection errors are retried only for GETs: a POST that timed out may have started a
    job already, and starting it twice costs the user a quota slot. A 429 is retried for
    any method because the server refused the request before doing anything.
    """

    connection_attempts: int = 4
    throttle_attempts: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    # A Retry-After longer than this is handed to the caller instead of blocking silently.
    max_retry_after: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)

    def backoff(self, attempt: int) -> float:
        """Seconds before retry number `attempt` (1-based): 0.5, 1, 2, 4, ... capped."""
        return min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
