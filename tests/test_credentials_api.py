"""Platform credentials over REST: encrypted, masked, owner-bound, never shown again."""

import json

import pytest
from django.db import connection

from accounts.crypto import CredentialDecryptionError, decrypt_secret
from accounts.models import AuditEvent, PlatformCredential
from accounts.services import use_credential

KAGGLE_TOKEN = "KGAT_4f1c2e9d8b7a6f5e4d3c2b1a0f9e8d7c"
HF_TOKEN = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _hub_knows_the_hf_token(hf_hub):
    # Hugging Face tokens are checked with whoami before they are stored.
    hf_hub.add_user("alice-hf", token=HF_TOKEN)


def test_adding_kaggle_token_lists_only_its_last_four(alice, api_as, kaggle_fake):
    kaggle_fake.add_user("alice-kg", token=KAGGLE_TOKEN)
    api = api_as(alice)
    created = api.post(
        "/api/v1/credentials",
        {"provider": "kaggle", "label": "main", "token": KAGGLE_TOKEN},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["last_four"] == "8d7c"
    listed = api.get("/api/v1/credentials")
    assert listed.status_code == 200
    assert KAGGLE_TOKEN not in listed.content.decode()
    assert KAGGLE_TOKEN not in created.content.decode()
    [row] = listed.json()
    assert row["provider"] == "kaggle" and row["kind"] == "access_token"
    assert row["label"] == "main" and row["last_used_at"] is None


def test_kaggle_username_and_key_and_hf_token_are_accepted(alice, api_as, kaggle_fake):
    kaggle_fake.add_user("alice", key="0123456789abcdef")
    api = api_as(alice)
    legacy = api.post(
        "/api/v1/credentials",
        {"provider": "kaggle", "label": "legacy", "username": "alice", "key": "0123456789abcdef"},
        format="json",
    )
    hf = api.post("/api/v1/credentials", {"provider": "huggingface", "token": HF_TOKEN})
    assert legacy.status_code == 201 and legacy.json()["kind"] == "username_key"
    assert legacy.json()["external_username"] == "alice"
    assert hf.status_code == 201 and hf.json()["last_four"] == "2345"
    assert use_credential(user=alice, provider="kaggle", label="legacy") == {
        "username": "alice",
        "key": "0123456789abcdef",
        "kaggle_username": "alice",
    }


def test_database_column_holds_no_plaintext_secret(alice, api_as):
    api_as(alice).post("/api/v1/credentials", {"provider": "huggingface", "token": HF_TOKEN})
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM accounts_platformcredential")
        [(raw_column,)] = cursor.fetchall()
    assert HF_TOKEN not in raw_column
    assert HF_TOKEN[3:] not in raw_column
    PlatformCredential.objects.get()
    assert decrypt_secret(owner_id=alice.pk, ciphertext=raw_column) == {"token": HF_TOKEN}


def test_ciphertext_copied_to_another_owner_does_not_decrypt(alice, bob, api_as):
    api_as(alice).post("/api/v1/credentials", {"provider": "huggingface", "token": HF_TOKEN})
    stolen = PlatformCredential.objects.get(owner=alice).ciphertext
    with pytest.raises(CredentialDecryptionError):
        decrypt_secret(owner_id=bob.pk, ciphertext=stolen)


def test_bob_cannot_see_or_delete_alices_credential(alice, bob, api_as):
    created = api_as(alice).post(
        "/api/v1/credentials", {"provider": "huggingface", "token": HF_TOKEN}
    )
    credential_id = created.json()["id"]
    bob_api = api_as(bob)
    assert bob_api.get("/api/v1/credentials").json() == []
    response = bob_api.delete(f"/api/v1/credentials/{credential_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert PlatformCredential.objects.filter(pk=credential_id).exists()


def test_owner_removes_credential_and_audit_records_it(alice, api_as):
    api = api_as(alice)
    credential_id = api.post(
        "/api/v1/credentials", {"provider": "huggingface", "token": HF_TOKEN}
    ).json()["id"]
    assert api.delete(f"/api/v1/credentials/{credential_id}").status_code == 204
    assert not PlatformCredential.objects.exists()
    actions = list(AuditEvent.objects.filter(user=alice).values_list("action", flat=True))
    assert "credential.added" in actions and "credential.removed" in actions
    assert api.delete(f"/api/v1/credentials/{credential_id}").status_code == 404


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        ({"provider": "github", "token": "x"}, "provider"),
        ({"provider": "kaggle"}, "API token, or a username and key"),
        ({"provider": "kaggle", "token": "a", "username": "u", "key": "k"}, "not both"),
        ({"provider": "kaggle", "username": "alice"}, "key is required"),
        ({"provider": "huggingface", "token": "not-an-hf-token"}, "starts with 'hf_'"),
        ({"provider": "huggingface", "token": "hf_" + "x" * 600}, "token"),
        ({"provider": "huggingface", "token": "hf_abc def"}, "single word"),
        ({"provider": "huggingface", "token": HF_TOKEN, "label": "<script>"}, "Label"),
        ({"provider": "huggingface", "token": HF_TOKEN, "owner": 2}, "Unknown field"),
        ({"provider": "huggingface", "token": 12345678}, "valid string"),
        ({"provider": "kaggle", "token": "short"}, "too short"),
    ],
)
def test_bad_credential_input_is_a_clear_400_and_stores_nothing(alice, api_as, body, message_part):
    response = api_as(alice).post("/api/v1/credentials", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert message_part in error["message"] or message_part in json.dumps(error["fields"])
    assert not PlatformCredential.objects.exists()
    assert not AuditEvent.objects.filter(action="credential.added").exists()


def test_non_object_and_malformed_json_bodies_are_400(alice, api_as):
    api = api_as(alice)
    as_list = api.post("/api/v1/credentials", [1, 2], format="json")
    malformed = api.post("/api/v1/credentials", data="{not json", content_type="application/json")
    assert as_list.status_code == 400 and "JSON object" in as_list.json()["error"]["message"]
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "parse_error"


def test_oversized_body_is_413(alice, api_as):
    body = json.dumps({"provider": "huggingface", "token": "hf_" + "x" * 400_000})
    response = api_as(alice).post("/api/v1/credentials", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not PlatformCredential.objects.exists()


def test_duplicate_label_is_409_and_keeps_the_first(alice, api_as):
    api = api_as(alice)
    api.post("/api/v1/credentials", {"provider": "huggingface", "token": HF_TOKEN})
    again = api.post("/api/v1/credentials", {"provider": "huggingface", "token": HF_TOKEN})
    assert again.status_code == 409
    assert PlatformCredential.objects.count() == 1


def test_read_only_token_lists_but_cannot_add_credentials(alice, api_as):
    api = api_as(alice, scopes=["jobs:read"])
    assert api.get("/api/v1/credentials").status_code == 200
    response = api.post("/api/v1/credentials", {"provider": "huggingface", "token": HF_TOKEN})
    assert response.status_code == 403
    assert "jobs:write" in response.json()["error"]["message"]
    assert not PlatformCredential.objects.exists()


def test_billing_only_token_cannot_list_credentials(alice, api_as):
    response = api_as(alice, scopes=["billing:read"]).get("/api/v1/credentials")
    assert response.status_code == 403
    assert "jobs:read" in response.json()["error"]["message"]
