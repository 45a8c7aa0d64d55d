"""How long to wait before asking a busy platform again."""

from django.conf import settings

MAX_BACKOFF_SECONDS = 15 * 60


def backoff_seconds(failures: int, retry_after: float | None) -> float:
    """The platform's own Retry-After wins; else double the interval per failure."""
    interval = settings.REMOTE_POLL_INTERVAL_SECONDS
    exponential = min(MAX_BACKOFF_SECONDS, interval * 2 ** min(failures, 10))
    return max(retry_after or 0.0, exponential)
