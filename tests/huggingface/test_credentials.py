"""A pasted Hugging Face token is checked with whoami before it is stored."""

import pytest

from accounts.models import PlatformCredential
from accounts.services import use_credential

pytestmark = pytest.mark.django_db


def test_good_token_is_stored_under_the_hub_user_name(alice, api_as, hf_hub):
    token = hf_hub.add_user("alice-hf")
    response = api_as(alice).post(
        "/api/v1/credentials", {"provider": "huggingface", "token": token}, format="json"
    )
    assert response.status_code == 201, response.json()
    stored = PlatformCredential.objects.get(owner=alice)
    assert stored.external_username == "alice-hf"
    assert use_credential(user=alice, provider="huggingface") == {"token": token}
    assert ("GET", "/api/whoami-v2", token) in hf_hub.requests


def test_bad_hf_token_is_refused_and_not_stored(alice, api_as, hf_hub):
    response = api_as(alice).post(
        "/api/v1/credentials",
        {"provider": "huggingface", "token": "hf_NotKnownToTheHub1234"},
        format="json",
    )
    assert response.status_code == 400
    assert "rejected the access token" in response.json()["error"]["message"]
    assert not PlatformCredential.objects.filter(owner=alice).exists()


def test_revoked_token_is_refused(alice, api_as, hf_hub):
    token = hf_hub.add_user("alice-hf")
    hf_hub.revoke(token)
    response = api_as(alice).post(
        "/api/v1/credentials", {"provider": "huggingface", "token": token}, format="json"
    )
    assert response.status_code == 400
    assert not PlatformCredential.objects.filter(owner=alice).exists()


def test_hub_rate_limit_while_verifying_is_a_clear_error_not_a_500(alice, api_as, hf_hub):
    token = hf_hub.add_user("alice-hf")
    hf_hub.fail(429, path="/api/whoami-v2", retry_after=30)
    response = api_as(alice).post(
        "/api/v1/credentials", {"provider": "huggingface", "token": token}, format="json"
    )
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "platform_unavailable" and "busy (429)" in body["message"]
    assert not PlatformCredential.objects.filter(owner=alice).exists()


def test_slow_hub_times_out_into_a_clear_error(alice, api_as, hf_hub, settings):
    settings.PLATFORM_HTTP_TIMEOUT_SECONDS = 0.5
    token = hf_hub.add_user("alice-hf")
    hf_hub.slow(2.0, path="/api/whoami-v2")
    response = api_as(alice).post(
        "/api/v1/credentials", {"provider": "huggingface", "token": token}, format="json"
    )
    assert response.status_code == 400
    assert "did not answer" in response.json()["error"]["message"]
    assert not PlatformCredential.objects.filter(owner=alice).exists()
