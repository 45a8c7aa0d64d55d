"""Share token format: `asthub_share_` + 43 random URL-safe characters, stored as an HMAC
digest under the same key as API tokens.

The distinct prefix lets secret scanners and people tell a share link (read-only, a few
jobs) from an API token at a glance; the two live in different tables, so a share token
can never authenticate as an API token even though both start with `asthub_`.
"""

import secrets

from accounts.tokens import token_digest

SHARE_PREFIX = "asthub_share_"  # noqa: S105 (a public prefix, not a secret)


def generate_share_token() -> str:
    return SHARE_PREFIX + secrets.token_urlsafe(32)


def share_digest(raw: str) -> str:
    return token_digest(raw)


def looks_like_share_token(value: str) -> bool:
    return value.startswith(SHARE_PREFIX) and 30 <= len(value) <= 100
