"""Writes for OAuth connections: consent, token issue and refresh, revocation, expiry.

Each writes its audit row in the same transaction as the change, as the other account
services do. The protocol itself (codes, tokens) is django-oauth-toolkit's.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from oauth2_provider.models import (
    AccessToken,
    Application,
    Grant,
    RefreshToken,
    clear_expired,
)

from accounts import audit
from accounts.models import ALL_SCOPES, AppConnection, User
from accounts.oauth_server.presenters import client_label, redirect_hosts
from accounts.services import LAST_USED_RESOLUTION
from asthub_site.errors import NotFound


def _ordered(scopes: list[str]) -> list[str]:
    return [scope for scope in ALL_SCOPES if scope in scopes]


def record_consent(*, user: User, application: Application, scopes: list[str]) -> AppConnection:
    """The person allowed `application` these scopes (the consent page's Allow)."""
    scopes = _ordered(scopes)
    with transaction.atomic():
        connection, created = AppConnection.objects.update_or_create(
            owner=user, application=application, defaults={"scopes": scopes}
        )
        if not created:
            connection.connected_at = timezone.now()
            connection.save(update_fields=["connected_at"])
        audit.record(
            user=user,
            actor=user,
            action="oauth.granted",
            target=connection,
            detail={
                "client": client_label(application),
                "client_id": application.client_id,
                "redirect_hosts": redirect_hosts(application),
                "scopes": scopes,
            },
        )
    return connection


def record_token_issued(
    *, user: User, application: Application, scopes: list[str], refreshed: bool
) -> None:
    """A token pair was issued from a code or a refresh; called inside the toolkit's own
    transaction, so the audit row commits with the tokens or not at all."""
    connection = AppConnection.objects.filter(owner=user, application=application).first()
    audit.record(
        user=user,
        actor=user,
        action="oauth.refreshed" if refreshed else "oauth.token_issued",
        target=connection or application,
        detail={"client": client_label(application), "scopes": _ordered(scopes)},
    )


def _live_tokens(user_id: int, application_id: int) -> bool:
    now = timezone.now()
    return (
        AccessToken.objects.filter(
            user_id=user_id, application_id=application_id, expires__gt=now
        ).exists()
        or RefreshToken.objects.filter(
            user_id=user_id, application_id=application_id, revoked__isnull=True
        ).exists()
    )


def owners_of_token(raw_token: str, application: Application) -> set[int]:
    checksum = hashlib.sha256(raw_token.encode()).hexdigest()
    owners = set()
    for model in (AccessToken, RefreshToken):
        owners |= set(
            model.objects.filter(token_checksum=checksum, application=application)
            .exclude(user__isnull=True)
            .values_list("user_id", flat=True)
        )
    return owners


def record_client_revocation(*, user_ids: set[int], application: Application) -> None:
    """The client revoked one of its tokens (RFC 7009); called in the revocation's own
    transaction. Once none is left alive the connection is over, and leaves the
    Connected apps list."""
    for user in User.objects.filter(pk__in=user_ids):
        connection = AppConnection.objects.filter(owner=user, application=application).first()
        ended = not _live_tokens(user.pk, application.pk)
        audit.record(
            user=user,
            actor=user,
            action="oauth.revoked",
            target=connection or application,
            detail={"client": client_label(application), "by": "client", "connection_ended": ended},
        )
        if ended and connection is not None:
            connection.delete()


def revoke_connection(*, user: User, connection_id: int, actor: User | None = None) -> None:
    """Disconnect an app: every token and pending code it holds for `user` dies at once."""
    with transaction.atomic():
        connection = (
            AppConnection.objects.for_user(user)
            .select_for_update()
            .select_related("application")
            .filter(pk=connection_id)
            .first()
        )
        if connection is None:
            raise NotFound("No such connected app.")
        application = connection.application
        RefreshToken.objects.filter(user=user, application=application).delete()
        AccessToken.objects.filter(user=user, application=application).delete()
        Grant.objects.filter(user=user, application=application).delete()
        audit.record(
            user=user,
            actor=actor or user,
            action="oauth.revoked",
            target=connection,
            detail={"client": client_label(application), "by": "user", "scopes": connection.scopes},
        )
        connection.delete()


def touch_connection(*, user_id: int, application_id: int) -> None:
    """Note a call at most once a minute per connection: the shared cache decides, so a
    busy connector does not take the database's write lock on every MCP request."""
    seconds = int(LAST_USED_RESOLUTION.total_seconds())
    if not cache.add(f"oauth:touched:{user_id}:{application_id}", 1, timeout=seconds):
        return
    AppConnection.objects.filter(owner_id=user_id, application_id=application_id).update(
        last_used_at=timezone.now()
    )


def expire_unused_clients(*, now=None) -> int:
    """Delete dynamically registered clients that never got a person's consent (or lost
    it) and hold no token, once older than OAUTH_UNUSED_CLIENT_HOURS. Clients an operator
    created in the admin (they have an owner) are kept."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.OAUTH_UNUSED_CLIENT_HOURS)
    connected = AppConnection.objects.filter(application=OuterRef("pk"))
    # A person's tokens only: RFC 7592 registration tokens belong to nobody and last years.
    live_access = AccessToken.objects.filter(
        application=OuterRef("pk"), user__isnull=False, expires__gt=now
    )
    live_refresh = RefreshToken.objects.filter(application=OuterRef("pk"), revoked__isnull=True)
    unused = (
        Application.objects.filter(user__isnull=True, created__lt=cutoff)
        .exclude(Exists(connected))
        .exclude(Exists(live_access))
        .exclude(Exists(live_refresh))
    )
    with transaction.atomic():
        count = 0
        for application in unused:
            application.delete()
            count += 1
    return count


def expire_oauth_leftovers() -> int:
    """The hourly sweep: unused clients, then expired tokens and codes."""
    removed = expire_unused_clients()
    clear_expired()
    return removed
