"""Writes for accounts: sign-up, platform credentials and API tokens.

Every function is keyword-only, runs in one transaction and writes its audit row there.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit, auth_cache, invalidation
from accounts.crypto import decrypt_secret, encrypt_secret
from accounts.models import (
    ALL_SCOPES,
    ApiToken,
    CredentialKind,
    PlatformCredential,
    Provider,
    User,
)
from accounts.oauth import services as oauth_services
from accounts.tokens import generate_token, looks_like_token, token_digest
from accounts.verification import verify_credential
from asthub_site.errors import Conflict, InvalidInput, MissingCredential, NotFound
from billing import quotas
from billing.services import ensure_subscription

MAX_LABEL = 64
MAX_SECRET = 512
MIN_SECRET = 8
MAX_TOKEN_LIFETIME_DAYS = 366
_LABEL_RE = re.compile(r"^[\w .@-]+$")
# Record "last used" at most this often, so authentication is not a write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def sign_up(*, email: str, password: str) -> User:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput("Enter a valid e-mail address.", fields={"email": exc.messages}) from exc
    try:
        validate_password(password, user=User(email=email))
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), fields={"password": exc.messages}) from exc
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise Conflict("An account with this e-mail address already exists.")
        user = User.objects.create_user(email=email, password=password)
        ensure_subscription(user=user, actor=user)
        audit.record(user=user, actor=user, action="account.created", target=user)
    return user


# --- Platform credentials --------------------------------------------------------------


def _clean_label(label: str | None) -> str:
    label = (label or "").strip() or "default"
    if len(label) > MAX_LABEL:
        raise InvalidInput(
            f"Label is too long (at most {MAX_LABEL} characters).", fields={"label": ["too long"]}
        )
    if not _LABEL_RE.match(label):
        raise InvalidInput(
            "Label may contain letters, digits, spaces and . @ _ - only.",
            fields={"label": ["invalid characters"]},
        )
    return label


def _clean_secret_part(name: str, value: str | None, min_length: int = 1) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{name} is required.", fields={name: ["required"]})
    if len(value) < min_length:
        raise InvalidInput(
            f"{name} is too short to be real (at least {min_length} characters).",
            fields={name: ["too short"]},
        )
    if len(value) > MAX_SECRET or any(ch.isspace() for ch in value):
        raise InvalidInput(
            f"{name} must be a single word of at most {MAX_SECRET} characters.",
            fields={name: ["invalid"]},
        )
    return value


@dataclass(frozen=True)
class CredentialInput:
    """What a person hands over: a token, or (Kaggle only) a username and key."""

    provider: str
    label: str = ""
    token: str = ""
    username: str = ""
    key: str = ""


def _secret_for(data: CredentialInput) -> tuple[str, dict[str, str], str]:
    """Return (kind, secret, last four) or raise InvalidInput naming what is wrong."""
    if data.provider == Provider.KAGGLE:
        if data.token and (data.username or data.key):
            raise InvalidInput("Give either a Kaggle API token or a username and key, not both.")
        if data.token:
            token = _clean_secret_part("token", data.token, MIN_SECRET)
            return CredentialKind.ACCESS_TOKEN, {"token": token}, token[-4:]
        if data.username or data.key:
            username = _clean_secret_part("username", data.username)
            key = _clean_secret_part("key", data.key, MIN_SECRET)
            return CredentialKind.USERNAME_KEY, {"username": username, "key": key}, key[-4:]
        raise InvalidInput(
            "A Kaggle credential needs an API token, or a username and key.",
            fields={"token": ["required"]},
        )
    if data.provider == Provider.HUGGINGFACE:
        if data.username or data.key:
            raise InvalidInput("A Hugging Face credential is an access token only.")
        token = _clean_secret_part("token", data.token, MIN_SECRET)
        if not token.startswith("hf_"):
            raise InvalidInput(
                "A Hugging Face access token starts with 'hf_'.", fields={"token": ["invalid"]}
            )
        return CredentialKind.ACCESS_TOKEN, {"token": token}, token[-4:]
    supported = ", ".join(Provider.values)
    raise InvalidInput(
        f"Unknown provider {data.provider!r}; supported: {supported}.",
        fields={"provider": ["invalid"]},
    )


def add_credential(*, user: User, data: CredentialInput, actor: User | None = None):
    kind, secret, last_four = _secret_for(data)
    label = _clean_label(data.label)
    # A network call: made before the transaction, and a refusal stores nothing.
    verified_username = verify_credential(provider=data.provider, secret=secret)
    try:
        with transaction.atomic():
            credential = PlatformCredential.objects.create(
                owner=user,
                provider=data.provider,
                kind=kind,
                label=label,
                ciphertext=encrypt_secret(owner_id=user.pk, secret=secret),
                last_four=last_four,
                external_username=verified_username or secret.get("username", ""),
            )
            audit.record(
                user=user,
                actor=actor or user,
                action="credential.added",
                target=credential,
                detail={"provider": data.provider, "label": label, "kind": kind},
            )
    except IntegrityError as exc:
        raise Conflict(
            f"You already have a {data.provider} credential labelled {label!r}.",
            fields={"label": ["already used"]},
        ) from exc
    return credential


def remove_credential(*, user: User, credential_id: int, actor: User | None = None) -> None:
    """Forget a credential; an OAuth connection is also revoked at the provider, after
    the local delete and on a best-effort basis."""
    oauth_secret = None
    with transaction.atomic():
        credential = (
            PlatformCredential.objects.for_user(user)
            .select_for_update()
            .filter(pk=credential_id)
            .first()
        )
        if credential is None:
            raise NotFound("No such credential.")
        audit.record(
            user=user,
            actor=actor or user,
            action="credential.removed",
            target=credential,
            detail={"provider": credential.provider, "label": credential.label},
        )
        if credential.kind == CredentialKind.OAUTH:
            oauth_secret = decrypt_secret(owner_id=user.pk, ciphertext=credential.ciphertext)
        credential.delete()
    if oauth_secret is not None:
        oauth_services.forget_at_provider(oauth_secret)


def use_credential(*, user: User, provider: str, label: str | None = None) -> dict[str, str]:
    """Decrypt the user's credential for `provider` (workers only) and mark it used.

    An OAuth connection answers `{"token": <access token>}` like a pasted token, refreshed
    first when it is about to expire."""
    credentials = PlatformCredential.objects.for_user(user).filter(provider=provider)
    if label:
        credentials = credentials.filter(label=label)
    credential = credentials.order_by("-last_used_at", "-created_at").first()
    if credential is None:
        raise MissingCredential(
            f"No {Provider(provider).label} credential is connected. "
            "Add one under Credentials in the portal or with POST /api/v1/credentials."
        )
    if credential.kind == CredentialKind.OAUTH:
        secret = oauth_services.fresh_oauth_secret(credential)
    else:
        secret = decrypt_secret(owner_id=user.pk, ciphertext=credential.ciphertext)
    PlatformCredential.objects.filter(pk=credential.pk).update(last_used_at=timezone.now())
    if provider == Provider.KAGGLE and credential.external_username:
        # Kernels live under the account Kaggle verified, which a token alone does not name.
        secret["kaggle_username"] = credential.external_username
    return secret


# --- API tokens ------------------------------------------------------------------------


def _clean_scopes(scopes: list[str] | None) -> list[str]:
    if not scopes:
        raise InvalidInput(
            f"Choose at least one scope: {', '.join(ALL_SCOPES)}.", fields={"scopes": ["required"]}
        )
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise InvalidInput(
            f"Unknown scope(s) {', '.join(unknown)}; known: {', '.join(ALL_SCOPES)}.",
            fields={"scopes": ["invalid"]},
        )
    return [scope for scope in ALL_SCOPES if scope in scopes]


def _clean_expiry(expires_at: datetime | None) -> datetime | None:
    if expires_at is None:
        return None
    now = timezone.now()
    if expires_at <= now:
        raise InvalidInput("Expiry must be in the future.", fields={"expires_at": ["in the past"]})
    if expires_at > now + timedelta(days=MAX_TOKEN_LIFETIME_DAYS):
        raise InvalidInput(
            f"Expiry can be at most {MAX_TOKEN_LIFETIME_DAYS} days away.",
            fields={"expires_at": ["too far"]},
        )
    return expires_at


def create_token(
    *,
    user: User,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
    actor: User | None = None,
    granting_scopes: list[str] | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw value, which is never available again.

    `granting_scopes` is the scope set of the token making the request, if any: a token
    cannot mint a token with more power than itself.
    """
    name = (name or "").strip()
    if not name or len(name) > 64:
        raise InvalidInput("Name the token (1 to 64 characters).", fields={"name": ["invalid"]})
    clean_scopes = _clean_scopes(scopes)
    if granting_scopes is not None and not set(clean_scopes) <= set(granting_scopes):
        missing = sorted(set(clean_scopes) - set(granting_scopes))
        raise InvalidInput(
            f"This token cannot grant scopes it does not have: {', '.join(missing)}.",
            fields={"scopes": ["exceeds caller"]},
        )
    expires_at = _clean_expiry(expires_at)
    raw = generate_token()
    with transaction.atomic():
        quotas.check_token_allowance(user=user)
        token = ApiToken.objects.create(
            owner=user,
            name=name,
            digest=token_digest(raw),
            last_four=raw[-4:],
            scopes=clean_scopes,
            expires_at=expires_at,
        )
        audit.record(
            user=user,
            actor=actor or user,
            action="token.created",
            target=token,
            detail={"name": name, "scopes": clean_scopes, "expires_at": _iso(expires_at)},
        )
    return token, raw


def revoke_token(*, user: User, token_id: int, actor: User | None = None) -> ApiToken:
    with transaction.atomic():
        token = (
            ApiToken.objects.for_user(user)
            .select_for_update()
            .filter(pk=token_id, revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise NotFound("No such active token.")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            user=user,
            actor=actor or user,
            action="token.revoked",
            target=token,
            detail={"name": token.name},
        )
    return token


def authenticate_token(raw_token: str, *, memory_only: bool = False) -> ApiToken | None:
    """Return the active token for this raw value (its owner loaded), or None. Shared by
    REST, MCP, the live stream and the CLI; answered from memory for a few seconds
    (accounts.auth_cache), so a busy client costs no query per call. `memory_only`: None
    unless it is in memory (no query, so callable from an event loop)."""
    if not raw_token or not looks_like_token(raw_token):
        return None
    digest = token_digest(raw_token)
    now = timezone.now()
    found = auth_cache.recall(invalidation.API_TOKEN, digest, now)
    if found is None and memory_only:
        return None
    if found is None:
        since = auth_cache.generation()
        token = (
            ApiToken.objects.active()
            .select_related("owner")
            .filter(digest=digest, owner__is_active=True)
            .first()
        )
        if token is None:
            return None
        # Checked when the row is read, so a token in constant use is still written at
        # most once a minute, and a call answered from memory writes nothing.
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        found = auth_cache.VerifiedToken(
            owner=token.owner, expires_at=token.expires_at, detail=token
        )
        auth_cache.remember(invalidation.API_TOKEN, digest, found, since)
    token = auth_cache.handed_out(found.detail)
    token.scopes = list(token.scopes)
    token.owner = found.user()
    return token


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
