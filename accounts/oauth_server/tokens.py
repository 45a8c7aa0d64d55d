"""OAuth token values: a greppable prefix, like API tokens, so leaked ones are findable.

Only their SHA-256 checksum is stored (django-oauth-toolkit's hashed-at-rest storage).
"""

import secrets

ACCESS_TOKEN_PREFIX = "asthub_oat_"  # noqa: S105 (public prefixes, not secrets)
REFRESH_TOKEN_PREFIX = "asthub_ort_"  # noqa: S105


def new_access_token(request=None) -> str:
    return ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_refresh_token(request=None) -> str:
    return REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(32)


def looks_like_oauth_access_token(value: str) -> bool:
    return value.startswith(ACCESS_TOKEN_PREFIX) and len(value) <= 100
