"""Password guessing is throttled per account and per address, on the portal's sign-in
page and the admin's, with a message that says what happened and when to come back.
The counts are the sliding windows of billing.rate_window: Redis in CI, in process here."""

import pytest

from billing import rate_window
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not the password at all"


def sign_in(client, email: str, password: str, *, address: str = "203.0.113.7", path="/login/"):
    return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_right_password_is_refused_after_five_wrong_ones_for_that_account(alice, client):
    for _ in range(5):
        assert sign_in(client, alice.email, WRONG).status_code == 200
    refused = sign_in(client, alice.email, PASSWORD)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many failed sign-ins. Try again in 15 minutes" in page
    assert not signed_in(client)
    # The account is throttled wherever the guesses come from, and its name's case is no
    # way around it.
    assert sign_in(client, "ALICE@example.com", PASSWORD, address="198.51.100.9").status_code == 429


def test_the_account_signs_in_again_once_the_oldest_failure_leaves_the_window(
    alice, client, monkeypatch, settings
):
    now = 1_000_000.0
    monkeypatch.setattr(rate_window, "_clock", lambda: now)
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        sign_in(client, alice.email, WRONG)
    assert sign_in(client, alice.email, PASSWORD).status_code == 429
    now += settings.LOGIN_FAILURE_WINDOW_SECONDS + 1
    assert sign_in(client, alice.email, PASSWORD).status_code == 302
    assert signed_in(client)


def test_one_address_guessing_across_accounts_is_stopped_but_others_are_not(
    alice, bob, client, settings
):
    for number in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        sign_in(client, f"guess{number}@example.com", WRONG, address="192.0.2.66")
    assert sign_in(client, bob.email, PASSWORD, address="192.0.2.66").status_code == 429
    assert not signed_in(client)
    assert sign_in(client, alice.email, PASSWORD, address="192.0.2.67").status_code == 302
    assert signed_in(client)


def test_successful_sign_ins_never_count_against_the_account(alice, client, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT + 3):
        assert sign_in(client, alice.email, PASSWORD).status_code == 302
        client.logout()


def test_admin_sign_in_is_throttled_too(operator, client):
    for _ in range(5):
        sign_in(client, operator.email, WRONG, path="/admin/login/")
    refused = sign_in(client, operator.email, PASSWORD, path="/admin/login/")
    assert "Too many failed sign-ins" in refused.content.decode()
    assert not signed_in(client)
