"""Authorization code + PKCE as OAuth 2.1 has it, the consent page, and the tokens' life:
audience-bound, short-lived, rotating, revocable, hashed at rest, audited."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.utils import timezone
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend
from oauth2_provider.models import AccessToken, Grant, RefreshToken
from starlette.requests import HTTPConnection

from accounts.models import AppConnection, AuditEvent
from accounts.oauth_server.authentication import authenticate_oauth_access
from mcp_gateway.auth import _lookup as mcp_lookup
from tests.oauth_server import flow


def _registered(anonymous) -> flow.Authorization:
    return flow.start(flow.register(anonymous).json()["client_id"])


def test_a_connection_gives_an_mcp_bound_token_that_the_mcp_endpoint_accepts(
    alice, anonymous, browser_of
):
    authorization, tokens = flow.connect(anonymous, browser_of(alice))
    assert tokens["token_type"] == "Bearer"
    assert tokens["access_token"].startswith("asthub_oat_")
    assert tokens["refresh_token"].startswith("asthub_ort_")
    assert 0 < tokens["expires_in"] <= 3600
    verified = mcp_lookup(tokens["access_token"])
    assert verified.subject == str(alice.pk)
    assert verified.resource == flow.mcp_resource()
    assert set(verified.scopes) == {"jobs:read", "jobs:write", "models:write", "billing:read"}


def test_the_code_and_tokens_the_client_never_named_a_resource_for_are_bound_to_mcp(
    alice, anonymous, browser_of
):
    authorization = _registered(anonymous)
    query = flow.consent(browser_of(alice), authorization, resource=None)
    tokens = flow.exchange(anonymous, authorization, query["code"], resource=None).json()
    assert AccessToken.objects.get(user=alice).resource == [flow.mcp_resource()]
    assert mcp_lookup(tokens["access_token"]).resource == flow.mcp_resource()


def test_tokens_are_stored_only_as_checksums(alice, anonymous, browser_of):
    _, tokens = flow.connect(anonymous, browser_of(alice))
    access, refresh = AccessToken.objects.get(user=alice), RefreshToken.objects.get(user=alice)
    assert access.token == "" and refresh.token == ""
    assert tokens["access_token"] not in (access.token_checksum, refresh.token_checksum)
    assert len(access.token_checksum) == 64


def test_the_consent_page_shows_the_client_its_redirect_host_and_the_scopes(
    alice, anonymous, browser_of
):
    authorization = _registered(anonymous)
    page = browser_of(alice).get("/authorize", authorization.params(scope="jobs:read jobs:write"))
    html = page.content.decode()
    assert "Connect Test Assistant?" in html
    assert "127.0.0.1:33418" in html
    assert "jobs:read" in html and "jobs:write" in html and "billing:read" not in html


def test_the_person_can_narrow_the_scopes_at_consent(alice, anonymous, browser_of):
    authorization, tokens = flow.connect(anonymous, browser_of(alice), scopes=["jobs:read"])
    assert tokens["scope"] == "jobs:read"
    assert mcp_lookup(tokens["access_token"]).scopes == ["jobs:read"]
    assert AppConnection.objects.get(owner=alice).scopes == ["jobs:read"]


def test_consent_cannot_widen_what_the_client_asked_for(alice, anonymous, browser_of):
    authorization = _registered(anonymous)
    browser = browser_of(alice)
    page = browser.get("/authorize", authorization.params(scope="jobs:read"))
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data |= {"granted_scopes": ["jobs:read", "jobs:write"], "allow": "on"}
    answer = browser.post("/authorize", data)
    assert answer.status_code == 200
    assert "you can only narrow its request" in answer.content.decode()
    assert not Grant.objects.exists()


@pytest.mark.parametrize("allow", [True, False], ids=["allow", "deny"])
def test_a_consent_form_edited_to_an_unknown_client_is_refused_plainly(
    alice, anonymous, browser_of, allow
):
    authorization = _registered(anonymous)
    browser = browser_of(alice)
    page = browser.get("/authorize", authorization.params())
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data |= {"client_id": "no-such-client"} | ({"allow": "on"} if allow else {})
    answer = browser.post("/authorize", data)
    assert answer.status_code == 400
    assert "Unknown client" in answer.content.decode()
    assert not Grant.objects.exists()


def test_denying_sends_access_denied_and_connects_nothing(alice, anonymous, browser_of):
    query = flow.consent(browser_of(alice), _registered(anonymous), allow=False)
    assert query["error"] == "access_denied"
    assert not AppConnection.objects.exists() and not Grant.objects.exists()


def test_a_signed_out_person_logs_in_first_and_returns_to_consent(alice, anonymous):
    authorization = _registered(anonymous)
    response = anonymous.get("/authorize", authorization.params())
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/authorize%3F")
    login_page = anonymous.get(response["Location"])
    assert 'name="next"' in login_page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"resource": "https://other.example/mcp"}, "invalid_target"),
        ({"response_type": "token"}, "unauthorized_client"),
    ],
    ids=["no-pkce", "plain-pkce", "method-missing-means-plain", "wrong-resource", "implicit"],
)
def test_refused_authorization_requests_redirect_an_error_and_issue_no_code(
    alice, anonymous, browser_of, overrides, error
):
    authorization = _registered(anonymous)
    response = browser_of(alice).get("/authorize", authorization.params(**overrides))
    assert response.status_code == 302
    query = flow.redirect_query(response)
    assert query["error"] == error
    assert query["state"] == authorization.state
    assert not Grant.objects.exists()


def test_an_unregistered_redirect_uri_is_never_redirected_to(alice, anonymous, browser_of):
    authorization = _registered(anonymous)
    response = browser_of(alice).get(
        "/authorize", authorization.params(redirect_uri="https://evil.example/cb")
    )
    assert response.status_code == 400
    assert "evil.example" not in response.get("Location", "")
    assert not Grant.objects.exists()


def test_a_code_works_once(alice, anonymous, browser_of):
    authorization = _registered(anonymous)
    code = flow.consent(browser_of(alice), authorization)["code"]
    assert flow.exchange(anonymous, authorization, code).status_code == 200
    replay = flow.exchange(anonymous, authorization, code)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("mismatch", ["verifier", "client", "resource"])
def test_a_code_needs_its_verifier_its_client_and_its_resource(
    alice, bob, anonymous, browser_of, mismatch
):
    authorization = _registered(anonymous)
    code = flow.consent(browser_of(alice), authorization)["code"]
    if mismatch == "verifier":
        overrides = {"code_verifier": flow.pkce_pair()[0]}
    elif mismatch == "client":
        # Bob's own registered client cannot redeem a code alice gave another client.
        overrides = {"client_id": flow.register(anonymous, name="bob's").json()["client_id"]}
    else:
        overrides = {"resource": "https://other.example/mcp"}
    refused = flow.exchange(anonymous, authorization, code, **overrides)
    assert refused.status_code in {400, 401}
    assert refused.json()["error"] in {"invalid_grant", "invalid_target", "invalid_client"}
    assert not AccessToken.objects.filter(user__isnull=False).exists()


def test_refresh_rotates_and_a_reused_refresh_token_ends_the_family(alice, anonymous, browser_of):
    authorization, first = flow.connect(anonymous, browser_of(alice))
    second = flow.refresh(anonymous, authorization.client_id, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert mcp_lookup(second["access_token"]) is not None
    assert mcp_lookup(first["access_token"]) is None  # the old access token went with it
    replay = flow.refresh(anonymous, authorization.client_id, first["refresh_token"])
    assert replay.status_code == 400
    # RFC 9700 §4.14.2: a replayed refresh token revokes what was issued from it.
    assert mcp_lookup(second["access_token"]) is None
    assert (
        flow.refresh(anonymous, authorization.client_id, second["refresh_token"]).status_code == 400
    )


def test_an_expired_access_token_is_refused(alice, anonymous, browser_of):
    _, tokens = flow.connect(anonymous, browser_of(alice))
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert authenticate_oauth_access(tokens["access_token"]) is None
    assert mcp_lookup(tokens["access_token"]) is None


class _VerifierHere:
    """The hub's lookup on this thread, where the test's database transaction is."""

    async def verify_token(self, token: str):
        return await sync_to_async(mcp_lookup)(token)


def _mcp_authenticates(token: str) -> bool:
    """What the SDK's bearer middleware on /mcp decides for this token."""
    backend = BearerAuthBackend(_VerifierHere(), resource_server_url=flow.mcp_resource())
    connection = HTTPConnection(
        {"type": "http", "headers": [(b"authorization", f"Bearer {token}".encode())]}
    )
    return async_to_sync(backend.authenticate)(connection) is not None


def test_a_token_for_another_resource_fails_the_audience_check(alice, anonymous, browser_of):
    _, tokens = flow.connect(anonymous, browser_of(alice))
    assert _mcp_authenticates(tokens["access_token"])
    for token in AccessToken.objects.all():  # a save, as every real change is (signals)
        token.resource = ["https://other.example/mcp"]
        token.save()
    assert not _mcp_authenticates(tokens["access_token"])


def test_revoking_the_refresh_token_ends_the_connection(alice, anonymous, browser_of):
    authorization, tokens = flow.connect(anonymous, browser_of(alice))
    response = flow.revoke(anonymous, authorization.client_id, tokens["refresh_token"])
    assert response.status_code == 200
    assert mcp_lookup(tokens["access_token"]) is None
    assert not AppConnection.objects.filter(owner=alice).exists()
    revoked = AuditEvent.objects.get(action="oauth.revoked")
    assert revoked.user == alice and revoked.detail["by"] == "client"


def test_a_client_cannot_revoke_another_clients_token(alice, anonymous, browser_of):
    _, tokens = flow.connect(anonymous, browser_of(alice))
    other = flow.register(anonymous, name="other").json()["client_id"]
    assert flow.revoke(anonymous, other, tokens["refresh_token"]).status_code == 200
    assert mcp_lookup(tokens["access_token"]) is not None
    assert not AuditEvent.objects.filter(action="oauth.revoked").exists()


def test_grant_refresh_and_revocation_each_write_an_audit_row(alice, anonymous, browser_of, api_as):
    authorization, tokens = flow.connect(anonymous, browser_of(alice), scopes=["jobs:read"])
    flow.refresh(anonymous, authorization.client_id, tokens["refresh_token"])
    connection = AppConnection.objects.get(owner=alice)
    assert api_as(alice).delete(f"/api/v1/connected-apps/{connection.pk}").status_code == 204
    actions = list(
        AuditEvent.objects.filter(user=alice, action__startswith="oauth.")
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["oauth.granted", "oauth.token_issued", "oauth.refreshed", "oauth.revoked"]
    granted = AuditEvent.objects.get(action="oauth.granted")
    assert granted.detail["scopes"] == ["jobs:read"]
    assert granted.detail["redirect_hosts"] == ["127.0.0.1:33418"]
