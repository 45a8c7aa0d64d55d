"""Adding a Kaggle credential checks it against Kaggle first: the hub keeps the username
Kaggle reports, and a refused credential is a clear error that stores nothing."""

import threading

import pytest

from accounts.models import PlatformCredential
from accounts.services import CredentialInput, add_credential
from asthub_site.ambient_credentials import refuse_ambient_platform_credentials
from jobs.platforms.kaggle.credentials import verify_kaggle_credential

pytestmark = pytest.mark.django_db

TOKEN = "KGAT_0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def test_kaggle_token_is_verified_and_the_kaggle_username_stored(alice, api_as, kaggle_fake):
    kaggle_fake.add_user("alice-on-kaggle", token=TOKEN)
    answer = api_as(alice).post(
        "/api/v1/credentials", {"provider": "kaggle", "token": TOKEN}, format="json"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["external_username"] == "alice-on-kaggle"
    [introspect] = kaggle_fake.calls("IntrospectToken")
    assert introspect.method == "POST"


def test_username_and_key_are_verified_by_signing_a_hello(alice, kaggle_fake):
    kaggle_fake.add_user("alicek", key="0123456789abcdef0123")
    credential = add_credential(
        user=alice,
        data=CredentialInput(provider="kaggle", username="alicek", key="0123456789abcdef0123"),
    )
    assert credential.external_username == "alicek"
    [hello] = kaggle_fake.calls("Hello")
    assert hello.user == "alicek"


def test_bad_kaggle_token_is_refused_and_not_stored(alice, api_as, kaggle_fake):
    kaggle_fake.add_user("alice-on-kaggle", token=TOKEN)
    answer = api_as(alice).post(
        "/api/v1/credentials", {"provider": "kaggle", "token": "KGAT_not_a_real_one"}, format="json"
    )
    assert answer.status_code == 400
    assert "Kaggle did not accept this API token" in answer.json()["error"]["message"]
    assert not PlatformCredential.objects.exists()


def test_bad_kaggle_key_is_refused_and_not_stored(alice, api_as, kaggle_fake):
    kaggle_fake.add_user("alicek", key="0123456789abcdef0123")
    answer = api_as(alice).post(
        "/api/v1/credentials",
        {"provider": "kaggle", "username": "alicek", "key": "wrongwrongwrong"},
        format="json",
    )
    assert answer.status_code == 400
    assert "username and key" in answer.json()["error"]["message"]
    assert not PlatformCredential.objects.exists()


def test_kaggle_down_stores_nothing_and_says_try_again(alice, api_as, kaggle_fake):
    kaggle_fake.add_user("alice-on-kaggle", token=TOKEN)
    kaggle_fake.fail(503, count=None)
    answer = api_as(alice).post(
        "/api/v1/credentials", {"provider": "kaggle", "token": TOKEN}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "platform_unavailable"
    assert "Try again" in answer.json()["error"]["message"]
    assert not PlatformCredential.objects.exists()


def test_portal_form_shows_a_refused_kaggle_token(alice, client, kaggle_fake):
    client.force_login(alice)
    page = client.post(
        "/portal/credentials/",
        {"provider": "kaggle", "label": "main", "token": "KGAT_not_a_real_one"},
        follow=True,
    )
    assert "Kaggle did not accept this API token" in page.content.decode()
    assert not PlatformCredential.objects.exists()


def test_concurrent_checks_each_carry_only_their_own_credential(kaggle_fake):
    kaggle_fake.add_user("alice-kg", token="KGAT_alice_concurrent")
    kaggle_fake.add_user("bob-kg", key="bob-key-0123456789")
    barrier = threading.Barrier(2)
    names = {}

    def check(name, secret):
        barrier.wait()
        names[name] = verify_kaggle_credential(secret)

    secrets = {
        "alice": {"token": "KGAT_alice_concurrent"},
        "bob": {"username": "bob-kg", "key": "bob-key-0123456789"},
    }
    threads = [threading.Thread(target=check, args=item) for item in secrets.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert names == {"alice": "alice-kg", "bob": "bob-kg"}
    assert [s.user for s in kaggle_fake.calls("Hello")] == ["bob-kg"]


@pytest.mark.parametrize("variable", ["KAGGLE_API_TOKEN", "KAGGLE_KEY"])
def test_server_refuses_to_start_with_kaggle_credentials_in_its_environment(
    monkeypatch, tmp_path, variable
):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(variable, "KGAT_operators_own")
    with pytest.raises(ImproperlyConfigured, match=variable):
        refuse_ambient_platform_credentials()


def test_server_refuses_to_start_with_a_kaggle_folder_token(monkeypatch, tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".kaggle").mkdir()
    (tmp_path / ".kaggle" / "access_token").write_text("KGAT_operators_own")
    with pytest.raises(ImproperlyConfigured, match="access_token"):
        refuse_ambient_platform_credentials()
