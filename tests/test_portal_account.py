"""The portal: sign up, log in and out, change password, manage credentials and tokens."""

import re

import pytest
from django.core import mail

from accounts.models import ApiToken, PlatformCredential, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another long passphrase 42"


def test_sign_up_logs_in_and_lands_on_the_free_plan_dashboard(client):
    response = client.post(
        "/signup/",
        {"email": "Carol@Example.com", "password": PASSWORD, "password_again": PASSWORD},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Free plan" in page and "Training jobs this month" in page
    assert User.objects.get(email="carol@example.com").subscription.plan == "free"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"email": "not-an-address", "password": PASSWORD, "password_again": PASSWORD}, "valid"),
        ({"email": "d@example.com", "password": "123", "password_again": "123"}, "too short"),
        ({"email": "d@example.com", "password": PASSWORD, "password_again": "x"}, "differ"),
    ],
)
def test_sign_up_errors_are_shown_on_the_form(client, form, message):
    response = client.post("/signup/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_sign_up_with_a_taken_address_says_so(client, alice):
    response = client.post(
        "/signup/",
        {"email": "alice@example.com", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def test_log_in_log_out_and_change_password(client, alice):
    assert client.post("/login/", {"username": "alice@example.com", "password": "wrong"})
    assert "_auth_user_id" not in client.session
    client.post("/login/", {"username": "alice@example.com", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(alice.pk)
    changed = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Password changed" in changed.content.decode()
    client.post("/logout/")
    assert "_auth_user_id" not in client.session
    assert client.get("/portal/").status_code == 302
    assert client.login(email="alice@example.com", password=NEW_PASSWORD)


def test_password_reset_mail_goes_to_the_console_backend(client, alice, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    client.post("/password/reset/", {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
    link = re.search(r"/password/reset/\S+/\S+/", mail.outbox[0].body).group(0)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert client.login(email="alice@example.com", password=NEW_PASSWORD)


def test_portal_adds_lists_and_removes_a_credential_showing_only_last_four(client, alice, hf_hub):
    client.force_login(alice)
    secret = "hf_SecretValueThatMustNeverShow9876"
    hf_hub.add_user("alice-hf", token=secret)
    client.post(
        "/portal/credentials/", {"provider": "huggingface", "label": "hub", "token": secret}
    )
    page = client.get("/portal/credentials/").content.decode()
    assert "…9876" in page and secret not in page
    credential = PlatformCredential.objects.get(owner=alice)
    client.post(f"/portal/credentials/{credential.pk}/remove/")
    assert not PlatformCredential.objects.exists()


def test_portal_credential_errors_are_shown_on_the_form(client, alice):
    client.force_login(alice)
    form = {"provider": "huggingface", "token": "not-a-hub-token"}
    response = client.post("/portal/credentials/", form)
    assert "starts with" in response.content.decode()
    assert not PlatformCredential.objects.exists()


def test_bob_cannot_remove_alices_credential_through_the_portal(client, alice, bob, hf_hub):
    hf_hub.add_user("alice-hf", token="hf_abcdefgh")
    client.force_login(alice)
    client.post("/portal/credentials/", {"provider": "huggingface", "token": "hf_abcdefgh"})
    credential = PlatformCredential.objects.get()
    client.force_login(bob)
    response = client.post(f"/portal/credentials/{credential.pk}/remove/", follow=True)
    assert "No such credential" in response.content.decode()
    assert PlatformCredential.objects.filter(pk=credential.pk).exists()


def test_new_token_is_shown_once_with_the_mcp_command(client, alice):
    client.force_login(alice)
    created = client.post("/portal/tokens/", {"name": "laptop", "scopes": ["jobs:read"]})
    page = created.content.decode()
    raw = re.search(r"asthub_[A-Za-z0-9_-]{40,}", page).group(0)
    assert "claude mcp add --transport http" in page and created["Cache-Control"]
    assert raw not in client.get("/portal/tokens/").content.decode()
    token = ApiToken.objects.get(name="laptop")
    client.post(f"/portal/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_bob_cannot_revoke_alices_token_through_the_portal(client, alice, bob, token_for):
    token_for(alice, name="alices")
    token = ApiToken.objects.get(name="alices")
    client.force_login(bob)
    client.post(f"/portal/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_portal_pages_require_login(client, db):
    for path in ("/portal/", "/portal/credentials/", "/portal/tokens/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_unknown_pages_are_404_html_and_json(client, db):
    assert client.get("/nope/").status_code == 404
    api = client.get("/api/v1/nope")
    assert api.status_code == 404 and api.json()["error"]["code"] == "not_found"
