"""Password sign-in throttling, per account and per address.

A password can be guessed only as fast as the hub lets it be tried: after
LOGIN_FAILURES_PER_ACCOUNT failed sign-ins for one account, or LOGIN_FAILURES_PER_ADDRESS
from one address, within LOGIN_FAILURE_WINDOW_SECONDS, further attempts are refused, the
right password included, until the oldest failure leaves the window. Only failures count,
so a person who signs in correctly is never slowed down. The per-address limit is the
higher one: many people can share an address (an office behind NAT), while a guesser
spreading over accounts from one address is still stopped.

The counts are `billing.rate_window` sliding windows: on Redis they are shared by every web
process and host.
"""

import hashlib
import math

from django.conf import settings

from billing.rate_window import sliding_window_wait


def _limits(username: str, address: str) -> list[tuple[str, int]]:
    # The name is hashed: the counters must not become a list of who tried to sign in.
    account = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    return [
        (f"sign-in-failures:account:{account}", settings.LOGIN_FAILURES_PER_ACCOUNT),
        (f"sign-in-failures:address:{address}", settings.LOGIN_FAILURES_PER_ADDRESS),
    ]


def sign_in_wait(*, username: str, address: str) -> float | None:
    """Seconds until `username` may try a password again from `address`, or None now."""
    waits = [
        sliding_window_wait(
            key, limit=limit, window_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS, record=False
        )
        for key, limit in _limits(username, address)
    ]
    waits = [wait for wait in waits if wait is not None]
    return max(waits) if waits else None


def record_failed_sign_in(*, username: str, address: str) -> None:
    for key, limit in _limits(username, address):
        sliding_window_wait(key, limit=limit, window_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def refusal_message(wait_seconds: float) -> str:
    minutes = max(1, math.ceil(wait_seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Too many failed sign-ins. Try again in {minutes} {unit}, or reset your password "
        "with “Forgot your password?”."
    )
