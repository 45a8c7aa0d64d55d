"""Sign in with Hugging Face: the linked account signs in, a newcomer gets an account,
and an existing account is never taken over through a matching e-mail address."""

import pytest

from accounts.models import CredentialKind, PlatformCredential, User
from accounts.oauth.services import EXISTING_ACCOUNT

pytestmark = pytest.mark.django_db


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def test_login_page_offers_sign_in_with_hugging_face(client, hub_uses_fake):
    assert "Sign in with Hugging Face" in client.get("/login/").content.decode()


def test_the_connected_account_signs_in(client, alice, hf, connect, sign_in_hf):
    hf.sign_in(hf.add_user("alice-hf"))
    client.force_login(alice)
    connect(client)
    client.logout()
    response = sign_in_hf(client)
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert signed_in_user(client) == alice
    assert PlatformCredential.objects.filter(owner=alice).count() == 1


def test_a_newcomer_with_a_verified_email_gets_an_account(client, hf, sign_in_hf, db):
    hf.sign_in(hf.add_user("newcomer", email="New.Comer@Example.com", email_verified=True))
    response = sign_in_hf(client)
    assert response["Location"] == "/portal/"
    user = signed_in_user(client)
    assert user.email == "new.comer@example.com"
    assert not user.has_usable_password()
    credential = PlatformCredential.objects.get(owner=user)
    assert credential.kind == CredentialKind.OAUTH and credential.external_username == "newcomer"
    assert "Free plan" in client.get("/portal/").content.decode()


def test_a_matching_email_never_links_an_existing_account(client, alice, hf, sign_in_hf):
    hf.sign_in(hf.add_user("mallory", email="alice@example.com", email_verified=True))
    response = sign_in_hf(client)
    assert response["Location"] == "/login/"
    assert signed_in_user(client) is None
    assert not PlatformCredential.objects.exists()
    page = client.get("/login/").content.decode()
    assert "Log in with your password, then connect Hugging Face" in page


def test_without_a_verified_email_the_newcomer_is_asked_for_one(client, hf, sign_in_hf, db):
    hf.sign_in(hf.add_user("quiet", email="unverified@example.com", email_verified=False))
    response = sign_in_hf(client)
    assert response["Location"] == "/oauth/huggingface/email/"
    assert signed_in_user(client) is None
    page = client.get("/oauth/huggingface/email/").content.decode()
    assert "quiet" in page
    done = client.post("/oauth/huggingface/email/", {"email": "quiet@example.com"})
    assert done["Location"] == "/portal/"
    user = signed_in_user(client)
    assert user.email == "quiet@example.com"
    assert PlatformCredential.objects.get(owner=user).external_username == "quiet"
    # The pending sign-in is used up.
    assert client.get("/oauth/huggingface/email/")["Location"] == "/login/"


def test_the_email_step_refuses_an_existing_accounts_address(client, alice, hf, sign_in_hf):
    hf.sign_in(hf.add_user("quiet"))  # no e-mail shared at all
    sign_in_hf(client)
    response = client.post("/oauth/huggingface/email/", {"email": "alice@example.com"})
    assert response.status_code == 200
    assert EXISTING_ACCOUNT.split(".")[0] in response.content.decode()
    assert signed_in_user(client) is None
    assert not PlatformCredential.objects.exists()


def test_the_email_step_needs_a_sign_in_in_progress(client, db):
    response = client.post("/oauth/huggingface/email/", {"email": "x@example.com"})
    assert response["Location"] == "/login/"
    assert not User.objects.exists()


def test_the_pending_sign_in_keeps_tokens_encrypted_in_the_session(client, hf, sign_in_hf, db):
    hf.sign_in(hf.add_user("quiet"))
    sign_in_hf(client)
    (access,) = hf.access_tokens
    stored = str(dict(client.session.items()))
    assert access not in stored


def test_sign_in_returns_to_the_page_that_sent_the_person(client, alice, hf, connect, sign_in_hf):
    # An MCP client's consent page sends a signed-out person to log in; Sign in with
    # Hugging Face brings them back there, as the password login does.
    hf.sign_in(hf.add_user("alice-hf"))
    client.force_login(alice)
    connect(client)
    client.logout()
    consent = "/authorize?client_id=abc&response_type=code"
    assert sign_in_hf(client, next_url=consent)["Location"] == consent
    client.logout()
    assert sign_in_hf(client, next_url="https://evil.example/")["Location"] == "/portal/"
