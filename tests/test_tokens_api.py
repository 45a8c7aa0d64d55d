"""API tokens: shown once, stored as digests, scoped, revocable, expiring, plan-limited."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, AuditEvent
from accounts.services import authenticate_token
from accounts.tokens import token_digest

pytestmark = pytest.mark.django_db


def _client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_new_token_is_shown_once_and_stored_only_as_digest(alice, api_as):
    api = api_as(alice)
    created = api.post(
        "/api/v1/tokens", {"name": "ci", "scopes": ["jobs:read"]}, format="json"
    ).json()
    raw = created["token"]
    assert raw.startswith("asthub_") and created["masked"] == f"asthub_…{raw[-4:]}"
    listing = api.get("/api/v1/tokens")
    assert raw not in listing.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT digest FROM accounts_apitoken")
        digests = [row[0] for row in cursor.fetchall()]
    assert token_digest(raw) in digests
    assert all(raw not in digest for digest in digests)
    me = _client(raw).get("/api/v1/me").json()
    assert me["email"] == "alice@example.com" and me["token_scopes"] == ["jobs:read"]


def test_missing_malformed_and_unknown_tokens_get_401_with_challenge(db, anon):
    missing = anon.get("/api/v1/me")
    assert missing.status_code == 401
    assert missing["WWW-Authenticate"].startswith("Bearer")
    assert missing.json()["error"]["code"] == "not_authenticated"
    anon.credentials(HTTP_AUTHORIZATION="Bearer")
    assert anon.get("/api/v1/me").status_code == 401
    anon.credentials(HTTP_AUTHORIZATION="Bearer asthub_thisTokenWasNeverIssued000000000000")
    unknown = anon.get("/api/v1/me")
    assert unknown.status_code == 401
    assert "Invalid, revoked or expired" in unknown.json()["error"]["message"]


def test_revoked_token_is_refused_on_next_call(alice, api_as, token_for):
    raw = token_for(alice, ["jobs:read"], name="to-revoke")
    assert _client(raw).get("/api/v1/me").status_code == 200
    token_id = ApiToken.objects.get(name="to-revoke").pk
    assert api_as(alice).delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert _client(raw).get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="token.revoked", target_id=str(token_id)).exists()


def test_expired_token_is_refused(alice, token_for):
    raw = token_for(alice, ["jobs:read"], expires_at=timezone.now() + timedelta(days=1))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _client(raw).get("/api/v1/me").status_code == 401


def test_bob_cannot_revoke_alices_token(alice, bob, api_as, token_for):
    token_for(alice, name="alices")
    alices = ApiToken.objects.get(name="alices")
    response = api_as(bob).delete(f"/api/v1/tokens/{alices.pk}")
    assert response.status_code == 404
    alices.refresh_from_db()
    assert alices.revoked_at is None
    assert "alices" not in api_as(bob).get("/api/v1/tokens").content.decode()


def test_token_cannot_mint_a_token_with_more_scopes(alice, api_as):
    response = api_as(alice, scopes=["jobs:read"]).post(
        "/api/v1/tokens", {"name": "escalate", "scopes": ["jobs:write"]}, format="json"
    )
    assert response.status_code == 400
    assert "cannot grant" in response.json()["error"]["message"]
    assert not ApiToken.objects.filter(name="escalate").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "scopes": ["admin"]},
        {"name": "x", "scopes": []},
        {"name": "", "scopes": ["jobs:read"]},
        {"name": "x" * 65, "scopes": ["jobs:read"]},
        {"name": "x", "scopes": ["jobs:read"], "expires_at": "2001-01-01T00:00:00Z"},
        {"name": "x", "scopes": ["jobs:read"], "expires_at": "2099-01-01T00:00:00Z"},
        {"name": "x", "scopes": ["jobs:read"], "expires_at": "soon"},
        {"name": "x", "scopes": "jobs:read"},
        {"name": "x", "scopes": ["jobs:read"], "owner_id": 1},
    ],
)
def test_bad_token_requests_are_400_and_create_nothing(alice, api_as, body):
    api = api_as(alice)
    before = ApiToken.objects.count()
    response = api.post("/api/v1/tokens", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"]
    assert ApiToken.objects.count() == before


def test_free_plan_allows_three_active_tokens(alice, api_as):
    api = api_as(alice)  # the first active token
    for name in ("second", "third"):
        ok = api.post("/api/v1/tokens", {"name": name, "scopes": ["jobs:read"]}, format="json")
        assert ok.status_code == 201
    fourth = api.post("/api/v1/tokens", {"name": "fourth", "scopes": ["jobs:read"]}, format="json")
    assert fourth.status_code == 403
    assert fourth.json()["error"]["code"] == "quota_exceeded"
    assert ApiToken.objects.for_user(alice).active().count() == 3


def test_last_used_is_recorded_without_a_write_on_every_call(alice, token_for):
    raw = token_for(alice, ["jobs:read"])
    first = authenticate_token(raw)
    assert first.last_used_at is not None
    stamp = first.last_used_at
    assert authenticate_token(raw).last_used_at == stamp  # within the resolution window
    ApiToken.objects.update(last_used_at=timezone.now() - timedelta(minutes=5))
    assert authenticate_token(raw).last_used_at > stamp - timedelta(minutes=5)


def test_issue_token_command_prints_a_working_token(alice, capsys):
    call_command("issue_token", "alice@example.com", "--scopes", "jobs:read", "--name", "ops")
    raw = capsys.readouterr().out.strip()
    me = _client(raw).get("/api/v1/me")
    assert me.status_code == 200 and me.json()["token_scopes"] == ["jobs:read"]


def test_issue_token_command_rejects_unknown_user_and_scope(alice):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user"):
        call_command("issue_token", "nobody@example.com")
    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("issue_token", "alice@example.com", "--scopes", "root")
