"""Connect Hugging Face: authorization code + PKCE through Authlib against the fake
provider; tokens stored encrypted; refreshed before expiry; disconnect forgets them."""

import base64
import hashlib
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from accounts.crypto import decrypt_secret
from accounts.models import AuditEvent, CredentialKind, PlatformCredential
from accounts.oauth.provider import ProviderBusy
from accounts.services import remove_credential, use_credential
from asthub_site.errors import MissingCredential
from jobs.platforms.base import PlatformBusy
from tests.hf_oauth.conftest import CLIENT_ID, CLIENT_SECRET

pytestmark = pytest.mark.django_db


def oauth_credential(user) -> PlatformCredential:
    return PlatformCredential.objects.get(owner=user, kind=CredentialKind.OAUTH)


def stored_secret(user) -> dict:
    credential = oauth_credential(user)
    return decrypt_secret(owner_id=user.pk, ciphertext=credential.ciphertext)


@pytest.fixture
def alice_connected(client, alice, hf, connect):
    hf.sign_in(hf.add_user("alice-hf", email="alice@example.com"))
    client.force_login(alice)
    response = connect(client)
    assert response.status_code == 302 and response["Location"] == "/portal/credentials/"
    return alice


def test_connect_stores_tokens_encrypted_with_the_hf_username(client, alice_connected, hf):
    credential = oauth_credential(alice_connected)
    assert credential.external_username == "alice-hf"
    assert credential.external_subject == next(iter(hf.users))
    (access,) = hf.access_tokens
    (refresh,) = hf.refresh_tokens
    assert access not in credential.ciphertext and refresh not in credential.ciphertext
    secret = stored_secret(alice_connected)
    assert secret["token"] == access and secret["refresh_token"] == refresh
    assert secret["expires_at"] > time.time() + 3600
    assert set(secret["scope"].split()) == {"openid", "profile", "write-repos", "manage-repos",
                                            "jobs"}  # fmt: skip
    page = client.get("/portal/credentials/").content.decode()
    assert f"…{access[-4:]}" in page and "alice-hf" in page and access not in page
    assert AuditEvent.objects.filter(user=alice_connected, action="credential.connected").exists()


def test_the_flow_uses_pkce_s256_state_and_the_configured_scopes(client, alice, hf, connect):
    hf.sign_in(hf.add_user("alice-hf"))
    client.force_login(alice)
    started = client.post("/oauth/huggingface/connect/")
    query = parse_qs(urlsplit(started["Location"]).query)
    assert started["Location"].startswith(hf.issuer + "/oauth/authorize?")
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"]
    assert query["scope"] == ["openid profile write-repos manage-repos jobs"]
    assert query["redirect_uri"] == ["http://testserver/oauth/huggingface/callback/"]


def test_use_credential_gives_the_access_token_like_a_pasted_one(alice_connected, hf):
    secret = use_credential(user=alice_connected, provider="huggingface")
    assert set(secret) == {"token"}
    assert hf.token_is_valid(secret["token"])
    assert hf.count("token", "refresh_token") == 0


def test_token_near_expiry_is_refreshed_and_the_new_refresh_token_stored(alice_connected, hf):
    old = stored_secret(alice_connected)
    credential = oauth_credential(alice_connected)
    # Four minutes left: inside the five-minute margin.
    from accounts.crypto import encrypt_secret

    credential.ciphertext = encrypt_secret(
        owner_id=alice_connected.pk, secret=old | {"expires_at": int(time.time()) + 240}
    )
    credential.save()
    secret = use_credential(user=alice_connected, provider="huggingface")
    assert hf.count("token", "refresh_token") == 1
    assert secret["token"] != old["token"] and hf.token_is_valid(secret["token"])
    new = stored_secret(alice_connected)
    assert new["token"] == secret["token"]
    assert new["refresh_token"] != old["refresh_token"]
    assert new["refresh_token"] in hf.refresh_tokens  # the successor is the live one
    assert old["refresh_token"] not in hf.refresh_tokens  # rotated away
    assert oauth_credential(alice_connected).last_four == secret["token"][-4:]
    # Fresh now: the next use does not refresh again.
    assert use_credential(user=alice_connected, provider="huggingface") == secret
    assert hf.count("token", "refresh_token") == 1


def _expire_soon(user):
    from accounts.crypto import encrypt_secret

    credential = oauth_credential(user)
    secret = stored_secret(user) | {"expires_at": int(time.time()) + 10}
    credential.ciphertext = encrypt_secret(owner_id=user.pk, secret=secret)
    credential.save()
    return secret


def test_a_revoked_grant_asks_the_user_to_reconnect(alice_connected, hf):
    secret = _expire_soon(alice_connected)
    hf.refresh_tokens.pop(secret["refresh_token"])  # revoked on huggingface.co
    with pytest.raises(MissingCredential, match="connect it again"):
        use_credential(user=alice_connected, provider="huggingface")


@pytest.mark.parametrize("status", [500, 429])
def test_provider_trouble_on_refresh_is_busy_and_keeps_the_tokens(alice_connected, hf, status):
    secret = _expire_soon(alice_connected)
    hf.fail("token", status=status)
    with pytest.raises(PlatformBusy) as raised:
        use_credential(user=alice_connected, provider="huggingface")
    assert isinstance(raised.value, ProviderBusy)
    assert stored_secret(alice_connected) == secret
    # The provider recovers: the same refresh token still works.
    assert hf.token_is_valid(use_credential(user=alice_connected, provider="huggingface")["token"])


def test_slow_provider_times_out_as_busy(alice_connected, hf, settings):
    _expire_soon(alice_connected)
    settings.PLATFORM_HTTP_TIMEOUT_SECONDS = 0.3
    from accounts.oauth import provider

    provider._client_for.cache_clear()
    hf.slow("token", 1.0)
    with pytest.raises(ProviderBusy):
        use_credential(user=alice_connected, provider="huggingface")


def test_disconnect_forgets_tokens_and_revokes_them_at_the_provider(client, alice_connected, hf):
    secret = stored_secret(alice_connected)
    credential = oauth_credential(alice_connected)
    response = client.post(f"/portal/credentials/{credential.pk}/remove/")
    assert response.status_code == 302
    assert not PlatformCredential.objects.filter(owner=alice_connected).exists()
    assert secret["refresh_token"] in hf.revoked
    assert not hf.token_is_valid(secret["token"])
    with pytest.raises(MissingCredential):
        use_credential(user=alice_connected, provider="huggingface")


def test_disconnect_works_when_the_provider_is_down(alice_connected, hf):
    credential = oauth_credential(alice_connected)
    hf.fail("revoke", status=500, times=2)
    remove_credential(user=alice_connected, credential_id=credential.pk)
    assert not PlatformCredential.objects.filter(pk=credential.pk).exists()


def test_disconnect_without_a_revocation_endpoint_only_forgets(alice_connected, hf):
    hf.advertise_revocation = False
    from accounts.oauth import provider

    provider._client_for.cache_clear()  # discovery read afresh
    remove_credential(user=alice_connected, credential_id=oauth_credential(alice_connected).pk)
    assert hf.revoked == []
    assert not PlatformCredential.objects.filter(owner=alice_connected).exists()


def test_reconnecting_replaces_the_connection(client, alice_connected, hf, connect):
    first = stored_secret(alice_connected)
    assert connect(client).status_code == 302
    assert PlatformCredential.objects.filter(owner=alice_connected).count() == 1
    assert stored_secret(alice_connected)["token"] != first["token"]


def test_declining_on_huggingface_stores_nothing(client, alice, hf, hub_uses_fake):
    hf.auto_approve = False
    hf.sign_in(hf.add_user("alice-hf"))
    client.force_login(alice)
    started = client.post("/oauth/huggingface/connect/")
    form = parse_qs(urlsplit(started["Location"]).query)
    answer = requests.post(
        hf.issuer + "/oauth/authorize",
        data={k: v[0] for k, v in form.items()} | {"decision": "deny"},
        allow_redirects=False,
        timeout=10,
    )
    back = urlsplit(answer.headers["Location"])
    response = client.get(f"{back.path}?{back.query}", follow=True)
    assert "you declined" in response.content.decode()
    assert not PlatformCredential.objects.exists()


def test_a_callback_with_an_unknown_state_is_refused(client, alice, hf, hub_uses_fake):
    hf.sign_in(hf.add_user("alice-hf"))
    client.force_login(alice)
    started = client.post("/oauth/huggingface/connect/")
    answer = requests.get(started["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    forged = back.query.replace("state=", "state=x")
    response = client.get(f"{back.path}?{forged}", follow=True)
    assert "expired or was not started here" in response.content.decode()
    assert not PlatformCredential.objects.exists()


def test_a_wrong_pkce_verifier_is_refused_and_nothing_is_stored(client, alice, hf, hub_uses_fake):
    hf.sign_in(hf.add_user("alice-hf"))
    client.force_login(alice)
    started = client.post("/oauth/huggingface/connect/")
    session = client.session
    (key,) = [k for k in session.keys() if k.startswith("_state_")]  # noqa: SIM118 (no __iter__)
    data = session[key]
    data["data"]["code_verifier"] = "a-different-verifier-" + "x" * 30
    session[key] = data
    session.save()
    answer = requests.get(started["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    response = client.get(f"{back.path}?{back.query}", follow=True)
    assert "PKCE verification failed" in response.content.decode()
    assert not PlatformCredential.objects.exists()


def test_the_fake_checks_pkce_and_client_secret_itself(hf, hub_uses_fake):
    hf.sign_in(hf.add_user("someone"))
    verifier = "v" * 50
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": "http://testserver/cb",
        "scope": "openid profile",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    answer = requests.get(hf.issuer + "/oauth/authorize", params=params, allow_redirects=False)
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": "http://testserver/cb",
    }
    wrong_secret = requests.post(
        hf.issuer + "/oauth/token", data=form | {"code_verifier": verifier},
        auth=(CLIENT_ID, "wrong"), timeout=10,
    )  # fmt: skip
    assert wrong_secret.status_code == 401
    wrong_verifier = requests.post(
        hf.issuer + "/oauth/token", data=form | {"code_verifier": "w" * 50},
        auth=(CLIENT_ID, CLIENT_SECRET), timeout=10,
    )  # fmt: skip
    assert wrong_verifier.json()["error"] == "invalid_grant"


def test_connect_button_shows_only_when_a_client_id_is_configured(client, alice, settings):
    client.force_login(alice)
    settings.HF_OAUTH_CLIENT_ID = ""
    page = client.get("/portal/credentials/").content.decode()
    assert "Connect Hugging Face</button>" not in page
    assert "HF_OAUTH_CLIENT_ID" in page
    assert client.post("/oauth/huggingface/connect/").status_code == 302
    assert "Sign in with Hugging Face" not in client.get("/login/").content.decode()
    settings.HF_OAUTH_CLIENT_ID = "configured"
    assert "Connect Hugging Face</button>" in client.get("/portal/credentials/").content.decode()


# --- tenants ----------------------------------------------------------------------------


def test_bob_cannot_connect_the_hf_account_alice_connected(client, alice_connected, bob, hf,
                                                           connect):  # fmt: skip
    client.force_login(bob)
    response = connect(client)
    assert response.status_code == 302
    page = client.get("/portal/credentials/").content.decode()
    assert "already connected to another hub account" in page
    assert not PlatformCredential.objects.filter(owner=bob).exists()


def test_bob_cannot_see_or_remove_alices_connection(alice_connected, bob, api_as):
    credential = oauth_credential(alice_connected)
    api = api_as(bob)
    assert api.get("/api/v1/credentials").json() == []
    assert api.delete(f"/api/v1/credentials/{credential.pk}").status_code == 404
    assert PlatformCredential.objects.filter(pk=credential.pk).exists()
    with pytest.raises(MissingCredential):
        use_credential(user=bob, provider="huggingface")


def test_rest_lists_the_connection_masked(alice_connected, api_as):
    rows = api_as(alice_connected).get("/api/v1/credentials").json()
    (row,) = rows
    assert row["kind"] == "oauth" and row["provider"] == "huggingface"
    text = json.dumps(rows)
    secret = stored_secret(alice_connected)
    assert secret["token"] not in text and secret["refresh_token"] not in text


def test_a_callback_finishing_in_another_users_session_is_refused(client, alice, bob, hf,
                                                                  hub_uses_fake):  # fmt: skip
    hf.sign_in(hf.add_user("alice-hf"))
    client.force_login(alice)
    started = client.post("/oauth/huggingface/connect/")
    answer = requests.get(started["Location"], allow_redirects=False, timeout=10)
    client.force_login(bob)  # the session now belongs to bob
    back = urlsplit(answer.headers["Location"])
    client.get(f"{back.path}?{back.query}")
    assert not PlatformCredential.objects.exists()
