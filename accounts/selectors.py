"""Reads for accounts. Every query starts from the user."""

from accounts.models import ApiToken, PlatformCredential


def credentials_for(user):
    return PlatformCredential.objects.for_user(user).order_by("provider", "label")


def tokens_for(user, *, include_inactive: bool = True):
    tokens = ApiToken.objects.for_user(user)
    return tokens if include_inactive else tokens.active()


def has_credential(user, provider: str) -> bool:
    """Whether the user connected a credential for `provider` (nothing is decrypted)."""
    return PlatformCredential.objects.for_user(user).filter(provider=provider).exists()
