"""A remote run outlives its access token: the poller's credential is refreshed between
polls and the run keeps reporting."""

import time

import pytest
import requests
from django.utils import timezone

from accounts.crypto import decrypt_secret, encrypt_secret
from accounts.models import CredentialKind, PlatformCredential
from jobs.models import JobStatus, MetricPoint
from jobs.platforms import ADAPTERS
from jobs.platforms.base import PollResult
from jobs.polling import poll_job
from tests.sharing.factories import stored_job

pytestmark = pytest.mark.django_db


class TokenCheckingPlatform:
    """A remote platform that, like the Hub, accepts only a live access token."""

    name = "huggingface"
    needs_credential = "huggingface"
    is_remote = True
    can_cancel = True

    def __init__(self, issuer: str) -> None:
        self.issuer = issuer
        self.epochs_reported = 0

    def poll(self, handle, credential):
        answer = requests.get(
            f"{self.issuer}/oauth/userinfo",
            headers={"Authorization": f"Bearer {credential['token']}"},
            timeout=5,
        )
        if answer.status_code == 401:
            return PollResult("failed", failure_reason="the platform refused an expired token")
        self.epochs_reported += 1
        epoch = self.epochs_reported
        point = {"epoch": epoch, "epochs": 5, "val_accuracy": 0.5 + epoch / 10}
        return PollResult("running", metrics=[point])


def test_token_refresh_happens_mid_job(client, alice, hf, connect, monkeypatch):
    monkeypatch.setitem(ADAPTERS, "huggingface", TokenCheckingPlatform(hf.issuer))
    hf.sign_in(hf.add_user("alice-hf"))
    client.force_login(alice)
    connect(client)
    job = stored_job(alice, status=JobStatus.RUNNING, epochs=5, epochs_done=0)
    job.platform = "huggingface"
    job.next_poll_at = timezone.now()
    job.save()

    assert poll_job(job.pk) == "running"
    # An hour later: the access token has expired at the provider.
    hf.expire_access_tokens()
    credential = PlatformCredential.objects.get(owner=alice, kind=CredentialKind.OAUTH)
    secret = decrypt_secret(owner_id=alice.pk, ciphertext=credential.ciphertext)
    credential.ciphertext = encrypt_secret(
        owner_id=alice.pk, secret=secret | {"expires_at": int(time.time()) - 5}
    )
    credential.save()
    job.refresh_from_db()
    job.next_poll_at = timezone.now()
    job.save(update_fields=["next_poll_at"])

    assert poll_job(job.pk) == "running"
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert list(MetricPoint.objects.filter(job=job).values_list("epoch", flat=True)) == [1, 2]
    assert hf.count("token", "refresh_token") == 1
    refreshed = decrypt_secret(
        owner_id=alice.pk,
        ciphertext=PlatformCredential.objects.get(pk=credential.pk).ciphertext,
    )
    assert refreshed["refresh_token"] in hf.refresh_tokens


def test_a_revoked_grant_mid_job_fails_the_run_with_a_clear_reason(client, alice, hf, connect,
                                                                   monkeypatch):  # fmt: skip
    monkeypatch.setitem(ADAPTERS, "huggingface", TokenCheckingPlatform(hf.issuer))
    hf.sign_in(hf.add_user("alice-hf"))
    client.force_login(alice)
    connect(client)
    job = stored_job(alice, status=JobStatus.RUNNING, epochs=5, epochs_done=0)
    job.platform = "huggingface"
    job.next_poll_at = timezone.now()
    job.save()
    credential = PlatformCredential.objects.get(owner=alice, kind=CredentialKind.OAUTH)
    secret = decrypt_secret(owner_id=alice.pk, ciphertext=credential.ciphertext)
    credential.ciphertext = encrypt_secret(
        owner_id=alice.pk, secret=secret | {"expires_at": int(time.time()) - 5}
    )
    credential.save()
    hf.refresh_tokens.clear()  # the person revoked the app on huggingface.co
    assert poll_job(job.pk) == "failed"
    job.refresh_from_db()
    assert "connect it again" in job.failure_reason


def test_provider_outage_mid_job_backs_off_and_keeps_the_run(client, alice, hf, connect,
                                                             monkeypatch):  # fmt: skip
    monkeypatch.setitem(ADAPTERS, "huggingface", TokenCheckingPlatform(hf.issuer))
    hf.sign_in(hf.add_user("alice-hf"))
    client.force_login(alice)
    connect(client)
    job = stored_job(alice, status=JobStatus.RUNNING, epochs=5, epochs_done=0)
    job.platform = "huggingface"
    job.next_poll_at = timezone.now()
    job.save()
    credential = PlatformCredential.objects.get(owner=alice, kind=CredentialKind.OAUTH)
    secret = decrypt_secret(owner_id=alice.pk, ciphertext=credential.ciphertext)
    credential.ciphertext = encrypt_secret(
        owner_id=alice.pk, secret=secret | {"expires_at": int(time.time()) - 5}
    )
    credential.save()
    hf.fail("token", status=429)
    assert poll_job(job.pk) == "busy"
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.poll_failures == 1
    assert job.next_poll_at > timezone.now()
