"""What token authentication found, kept settings.AUTH_CACHE_SECONDS in this process:
every REST and MCP call verifies its token, and MCP then needs the token's active user.

A verified token is kept under its digest (the HMAC digest of an API token, the checksum
of an OAuth access token; never the raw token), with what callers need without another
query: the kind's own detail (the ApiToken row, or the OAuthAccess), the owner, and the
expiry, which is checked on every hit, so a token is refused the moment it expires. An
active user is kept by id, filled by the same lookup. Users are snapshots: each caller
gets its own copy, since a view may change the user it is handed.

An entry is dropped at once, here and in every other process (accounts.invalidation),
when the row behind it changes: an API token saved (revoked, its expiry changed) or
deleted, an OAuth access token saved or deleted (revoked by its client, disconnected,
killed by refresh-token reuse protection, swept), a user saved (deactivated, edited) or
deleted. Model signals see every path alike (services, admin, shell); a bulk update of
API tokens is covered by ApiTokenQuerySet.update. A user's last login alone changes
nothing kept here.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oauth2_provider.models import AccessToken

from accounts import invalidation
from accounts.models import ApiToken, User
from accounts.read_cache import ReadCache

_entries = ReadCache()


@dataclass(frozen=True)
class VerifiedToken:
    owner: User  # a snapshot: hand out `user()`, never this instance
    expires_at: datetime | None
    detail: Any  # the kind's own answer; immutable, or copied by whoever hands it out

    def user(self) -> User:
        return handed_out(self.owner)


def handed_out(row: Model) -> Model:
    """A copy of a kept row for one caller: its own fields and related-object cache.

    copy.copy goes through pickling's hooks at several times the cost; the field values
    are shared, so a caller handed a row with a mutable value (a JSON list) copies that."""
    clone = row.__class__.__new__(row.__class__)
    clone.__dict__.update(row.__dict__)
    clone._state = ModelState()
    clone._state.db = row._state.db
    clone._state.adding = False
    return clone


def generation() -> int:
    """Read before the query whose answer `remember` keeps."""
    return _entries.generation()


def recall(kind: str, digest: str, now: datetime) -> VerifiedToken | None:
    found = _entries.get(f"{kind}:{digest}")
    if found is None or (found.expires_at is not None and found.expires_at <= now):
        return None
    return found


def remember(kind: str, digest: str, found: VerifiedToken, since: int) -> None:
    """Keep a verified token, and its owner as an active user (the lookup checked both)."""
    _entries.put({f"{kind}:{digest}": found, _user_key(found.owner.pk): found.owner}, since)


def active_user(user_id: int) -> User | None:
    """The active user with this id (a copy), from memory when a token lookup just read it."""
    key = _user_key(user_id)
    user = _entries.get(key)
    if user is None:
        since = _entries.generation()
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            return None
        _entries.put({key: user}, since)
    return handed_out(user)


def _user_key(user_id: int | str) -> str:
    return f"{invalidation.USER}:{user_id}"


def _forget_user(user_id: str) -> None:
    key = _user_key(user_id)

    def theirs(entry_key: str, value: Any) -> bool:
        return entry_key == key or (
            isinstance(value, VerifiedToken) and str(value.owner.pk) == user_id
        )

    _entries.drop_where(theirs)


for _kind in (invalidation.API_TOKEN, invalidation.OAUTH_TOKEN):
    invalidation.listen(_kind, lambda digest, kind=_kind: _entries.drop(f"{kind}:{digest}"))
invalidation.listen(invalidation.USER, _forget_user)


@receiver(post_save, sender=ApiToken)
def _api_token_saved(sender, instance, created, **kwargs) -> None:
    if not created:  # a new token has nothing kept yet
        invalidation.invalidate(invalidation.API_TOKEN, instance.digest)


@receiver(post_delete, sender=ApiToken)
def _api_token_deleted(sender, instance, **kwargs) -> None:
    invalidation.invalidate(invalidation.API_TOKEN, instance.digest)


@receiver(post_save, sender=AccessToken)
def _access_token_saved(sender, instance, created, **kwargs) -> None:
    if not created:
        invalidation.invalidate(invalidation.OAUTH_TOKEN, instance.token_checksum)


@receiver(post_delete, sender=AccessToken)
def _access_token_deleted(sender, instance, **kwargs) -> None:
    invalidation.invalidate(invalidation.OAUTH_TOKEN, instance.token_checksum)


@receiver(post_save, sender=User)
def _user_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    # A new user too: in SQLite a rolled-back or deleted last id comes back.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    invalidation.invalidate(invalidation.USER, instance.pk)


@receiver(post_delete, sender=User)
def _user_deleted(sender, instance, **kwargs) -> None:
    invalidation.invalidate(invalidation.USER, instance.pk)
