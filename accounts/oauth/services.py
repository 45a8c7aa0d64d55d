"""Writes for Hugging Face OAuth: store a connection, keep its access token fresh, forget
it, and open or find the hub account behind "Sign in with Hugging Face".

Tokens live encrypted in a PlatformCredential of kind `oauth`; the HF code receives
`{"token": <access token>}` exactly as for a pasted token.
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from accounts import audit
from accounts.crypto import decrypt_secret, encrypt_secret
from accounts.models import CredentialKind, PlatformCredential, Provider, User
from accounts.oauth import provider
from asthub_site.errors import Conflict, InvalidInput, MissingCredential
from billing.services import ensure_subscription

log = logging.getLogger(__name__)

OAUTH_LABEL = "oauth"
# Refresh when the access token has less than this left, so a call that starts with it
# (a Job launch, an upload) does not see it expire halfway.
REFRESH_MARGIN = timedelta(minutes=5)
EXISTING_ACCOUNT = (
    "An account with this e-mail address already exists. Log in with your password, then "
    "connect Hugging Face under Credentials to sign in with it from then on."
)


@dataclass(frozen=True)
class HFIdentity:
    """Who the provider says signed in (from userinfo, checked against the ID token)."""

    subject: str
    username: str
    email: str = ""
    email_verified: bool = False

    @classmethod
    def from_userinfo(cls, info: dict[str, Any]) -> "HFIdentity":
        subject = str(info.get("sub") or "")
        if not subject:
            raise InvalidInput("Hugging Face did not say who signed in.")
        return cls(
            subject=subject,
            username=str(info.get("preferred_username") or info.get("name") or ""),
            email=str(info.get("email") or "").strip().lower(),
            email_verified=info.get("email_verified") is True,
        )


def _secret_of(token: dict[str, Any], previous: dict[str, Any] | None = None) -> dict[str, Any]:
    expires_at = token.get("expires_at")
    if expires_at is None and token.get("expires_in") is not None:
        expires_at = time.time() + float(token["expires_in"])
    return {
        "token": token["access_token"],
        # A provider that does not rotate answers a refresh without a new refresh token.
        "refresh_token": token.get("refresh_token") or (previous or {}).get("refresh_token", ""),
        "expires_at": int(expires_at) if expires_at is not None else None,
        "scope": token.get("scope") or (previous or {}).get("scope", ""),
    }


def connect_huggingface(*, user: User, token: dict[str, Any], identity: HFIdentity):
    """Store (or replace) the user's OAuth connection to this HF account."""
    secret = _secret_of(token)
    try:
        with transaction.atomic():
            linked = (
                PlatformCredential.objects.select_for_update()
                .filter(provider=Provider.HUGGINGFACE, external_subject=identity.subject)
                .exclude(owner=user)
                .exists()
            )
            if linked:
                raise Conflict(
                    f"The Hugging Face account {identity.username} is already connected to "
                    "another hub account."
                )
            credential, created = PlatformCredential.objects.select_for_update().update_or_create(
                owner=user,
                provider=Provider.HUGGINGFACE,
                kind=CredentialKind.OAUTH,
                defaults={
                    "label": OAUTH_LABEL,
                    "ciphertext": encrypt_secret(owner_id=user.pk, secret=secret),
                    "last_four": secret["token"][-4:],
                    "external_username": identity.username,
                    "external_subject": identity.subject,
                },
            )
            audit.record(
                user=user,
                actor=user,
                action="credential.connected" if created else "credential.reconnected",
                target=credential,
                detail={"provider": Provider.HUGGINGFACE, "username": identity.username},
            )
    except IntegrityError as exc:
        raise Conflict(
            "This Hugging Face account is connected to another hub account, or you already "
            "have a Hugging Face credential labelled 'oauth' (remove it first).",
        ) from exc
    return credential


def _expiring(secret: dict[str, Any]) -> bool:
    expires_at = secret.get("expires_at")
    if expires_at is None:
        return False
    return expires_at - time.time() < REFRESH_MARGIN.total_seconds()


def fresh_oauth_secret(credential: PlatformCredential) -> dict[str, str]:
    """The connection's access token as `{"token": ...}`, refreshed first if it expires
    within REFRESH_MARGIN.

    The refresh runs with the credential row locked: with rotating refresh tokens, two
    workers refreshing at once would otherwise both spend the same refresh token and one
    of them would store a successor the provider has already invalidated. The second
    worker waits, re-reads the row and finds the token already fresh.
    """
    owner_id = credential.owner_id
    secret = decrypt_secret(owner_id=owner_id, ciphertext=credential.ciphertext)
    if not _expiring(secret):
        return {"token": secret["token"]}
    with transaction.atomic():
        locked = PlatformCredential.objects.select_for_update().filter(pk=credential.pk).first()
        if locked is None:
            raise MissingCredential("The Hugging Face connection was removed.")
        secret = decrypt_secret(owner_id=owner_id, ciphertext=locked.ciphertext)
        if not _expiring(secret):
            return {"token": secret["token"]}
        if not secret.get("refresh_token"):
            raise MissingCredential(
                "Your Hugging Face connection has expired; connect it again under Credentials."
            )
        secret = _secret_of(provider.refresh_tokens(secret["refresh_token"]), previous=secret)
        locked.ciphertext = encrypt_secret(owner_id=owner_id, secret=secret)
        locked.last_four = secret["token"][-4:]
        locked.save(update_fields=["ciphertext", "last_four"])
        audit.record(
            user=locked.owner,
            actor=None,
            action="credential.refreshed",
            target=locked,
            detail={"provider": locked.provider},
        )
    return {"token": secret["token"]}


def forget_at_provider(secret: dict[str, Any]) -> None:
    """Best effort after the local delete: a provider we cannot reach must not keep a
    person from disconnecting (their tokens are already gone from the hub)."""
    try:
        if secret.get("refresh_token"):
            provider.revoke_token(secret["refresh_token"], hint="refresh_token")
        if secret.get("token"):
            provider.revoke_token(secret["token"], hint="access_token")
    except Exception:  # noqa: BLE001 - any failure here is only logged
        log.warning("could not revoke a Hugging Face token at the provider", exc_info=True)


# --- Sign in with Hugging Face ------------------------------------------------------------


def user_for_identity(identity: HFIdentity) -> User | None:
    credential = (
        PlatformCredential.objects.select_related("owner")
        .filter(
            provider=Provider.HUGGINGFACE,
            kind=CredentialKind.OAUTH,
            external_subject=identity.subject,
            owner__is_active=True,
        )
        .first()
    )
    return credential.owner if credential else None


def _clean_new_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput("Enter a valid e-mail address.", fields={"email": exc.messages}) from exc
    return email


def sign_in_with_huggingface(
    *, token: dict[str, Any], identity: HFIdentity, email: str = ""
) -> User:
    """The hub account for this HF identity: the one it is connected to, else a new one.

    A new account takes the provider's verified e-mail, or `email` typed by the person.
    An existing account is never linked by e-mail alone: that would hand it to whoever
    controls an HF account showing the same address. Its owner logs in with their
    password and connects Hugging Face first.
    """
    user = user_for_identity(identity)
    if user is not None:
        connect_huggingface(user=user, token=token, identity=identity)
        return user
    if identity.email and identity.email_verified:
        email = identity.email
    if not email:
        raise InvalidInput("Enter an e-mail address for your new account.", fields={"email": []})
    email = _clean_new_email(email)
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise Conflict(EXISTING_ACCOUNT, fields={"email": ["already registered"]})
        # No password: this person signs in through Hugging Face (or sets one by reset).
        user = User.objects.create_user(email=email, password=None)
        ensure_subscription(user=user, actor=user)
        audit.record(
            user=user,
            actor=user,
            action="account.created",
            target=user,
            detail={"via": "huggingface", "username": identity.username},
        )
        connect_huggingface(user=user, token=token, identity=identity)
    return user


def credential_secret(credential: PlatformCredential) -> dict[str, Any]:
    return decrypt_secret(owner_id=credential.owner_id, ciphertext=credential.ciphertext)
