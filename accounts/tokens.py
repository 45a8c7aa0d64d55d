"""API token format: `asthub_` + 43 random URL-safe characters, stored as an HMAC digest.

The prefix makes leaked tokens greppable (and findable by secret scanners); the digest
keyed by TOKEN_DIGEST_KEY means a database dump alone cannot be used to forge a lookup.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

TOKEN_PREFIX = "asthub_"  # noqa: S105 (a public prefix, not a secret)


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(raw_token: str) -> str:
    key = settings.TOKEN_DIGEST_KEY.encode()
    return hmac.new(key, raw_token.encode(), hashlib.sha256).hexdigest()


def looks_like_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX) and 20 <= len(value) <= 100
