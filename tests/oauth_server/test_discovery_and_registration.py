"""Discovery documents and RFC 7591 registration, as an MCP client meets them first."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import Application

from accounts.oauth_server.services import expire_unused_clients
from tests.oauth_server import flow


def test_authorization_server_metadata_offers_registration_s256_and_the_hub_scopes(anonymous):
    meta = anonymous.get("/.well-known/oauth-authorization-server").json()
    base = flow.mcp_resource().removesuffix("/mcp")
    assert meta["issuer"] == base
    assert meta["registration_endpoint"] == f"{base}/register"
    assert meta["authorization_endpoint"] == f"{base}/authorize"
    assert meta["token_endpoint"] == f"{base}/token"
    assert meta["revocation_endpoint"] == f"{base}/revoke"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert meta["response_types_supported"] == ["code"]
    assert set(meta["scopes_supported"]) == {
        "jobs:read",
        "jobs:write",
        "models:write",
        "billing:read",
        "billing:write",
    }


def test_mcp_resource_metadata_names_the_hub_as_its_authorization_server(anonymous):
    for path in (
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/oauth-protected-resource",
    ):
        meta = anonymous.get(path).json()
        assert meta["resource"] == flow.mcp_resource()
        assert meta["authorization_servers"] == [flow.mcp_resource().removesuffix("/mcp")]
        assert "jobs:write" in meta["scopes_supported"]


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://claude.ai/api/mcp/auth_callback",
        "http://127.0.0.1:33418/callback",
        "http://localhost:6274/oauth/callback",
        "http://[::1]:8080/cb",
    ],
)
def test_a_public_client_registers_with_https_or_loopback_redirects(anonymous, redirect_uri, db):
    response = flow.register(anonymous, redirect_uris=[redirect_uri])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token_endpoint_auth_method"] == "none"
    assert body["redirect_uris"] == [redirect_uri]
    application = Application.objects.get(client_id=body["client_id"])
    assert application.client_type == "public" and application.user is None


@pytest.mark.parametrize(
    ("metadata", "error", "says"),
    [
        ({"redirect_uris": ["http://evil.example/cb"]}, "invalid_redirect_uri", "non-loopback"),
        ({"redirect_uris": ["ftp://127.0.0.1/cb"]}, "invalid_redirect_uri", "neither https"),
        ({"redirect_uris": ["https://x.example/cb#frag"]}, "invalid_redirect_uri", "fragment"),
        ({"redirect_uris": []}, "invalid_client_metadata", "redirect_uris is required"),
        ({"grant_types": ["implicit"]}, "invalid_client_metadata", "implicit"),
        ({"grant_types": ["password"]}, "invalid_client_metadata", "password"),
        ({"response_types": ["token"]}, "invalid_client_metadata", "'code' response type"),
    ],
)
def test_registration_refuses_what_the_hub_does_not_serve(anonymous, metadata, error, says, db):
    body = {"redirect_uris": [flow.REDIRECT_URI], "client_name": "x", **metadata}
    response = anonymous.post("/register", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert says in response.json()["error_description"]
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        b"{" * 5000,
        b"[" * 100_000 + b"]" * 100_000,  # valid JSON, nested past Python's recursion limit
        json.dumps({"redirect_uris": "x"}).encode(),
    ],
    ids=["not-json", "a-list", "unclosed", "deep", "uris-not-a-list"],
)
def test_garbage_registrations_get_a_400_and_store_nothing(anonymous, body, db):
    response = anonymous.post("/register", body, content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Application.objects.exists()


def test_registrations_are_limited_per_address(anonymous, settings, db):
    settings.OAUTH_REGISTRATIONS_PER_HOUR = 3
    codes = [flow.register(anonymous, REMOTE_ADDR="203.0.113.7").status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = flow.register(anonymous, REMOTE_ADDR="203.0.113.7")
    assert "Too many client registrations" in refused.json()["error_description"]
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert flow.register(anonymous, REMOTE_ADDR="198.51.100.2").status_code == 201
    assert Application.objects.count() == 4


def test_a_registration_update_follows_the_same_redirect_policy(anonymous, db):
    registered = flow.register(anonymous).json()
    update = {"redirect_uris": ["http://evil.example/cb"], "client_name": "x"}
    response = anonymous.put(
        f"/register/{registered['client_id']}",
        json.dumps(update),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {registered['registration_access_token']}",
    )
    assert response.status_code == 400
    application = Application.objects.get(client_id=registered["client_id"])
    assert application.redirect_uris == flow.REDIRECT_URI


def test_a_registered_client_never_used_expires(anonymous, alice, browser_of, settings):
    settings.OAUTH_UNUSED_CLIENT_HOURS = 24
    unused = flow.register(anonymous).json()["client_id"]
    authorization, _ = flow.connect(anonymous, browser_of(alice))
    operator_made = Application.objects.create(
        name="ops",
        user=alice,
        client_type="public",
        authorization_grant_type="authorization-code",
        redirect_uris=flow.REDIRECT_URI,
    )
    a_day_ago = timezone.now() - timedelta(hours=25)
    Application.objects.update(created=a_day_ago)
    assert expire_unused_clients() == 1
    remaining = set(Application.objects.values_list("client_id", flat=True))
    assert unused not in remaining
    assert {authorization.client_id, operator_made.client_id} <= remaining


def test_a_fresh_unused_client_is_kept(anonymous, db):
    client_id = flow.register(anonymous).json()["client_id"]
    assert expire_unused_clients() == 0
    assert Application.objects.filter(client_id=client_id).exists()
