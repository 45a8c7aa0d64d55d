"""A remote run outlives its access token: the poller's credential is refreshed between
polls and the run keeps reporting."""

import time

import pytest
import requests
from django.utils import timezone

from accounts.crypto import decrypt_secret, encrypt_secret
from accounts.models import CredentialKind, PlatformCredential
from jobs.models import JobStatus
from jobs.platforms import ADAPTERS
from jobs.platforms.base import PollResult
from jobs.runs.poll import poll_job
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


def _running_job_with_an_expired_token(alice, hf, connect, client, monkeypatch):
    """A running remote job of alice's whose stored OAuth access token has expired."""
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
    return job


# The refresh itself, mid-run on real HF Jobs, is in tests/huggingface/test_oauth_hf_jobs.py;
# these cover what the poller does when refreshing fails.


def test_a_revoked_grant_mid_job_fails_the_run_with_a_clear_reason(client, alice, hf, connect,
                                                                   monkeypatch):  # fmt: skip
    job = _running_job_with_an_expired_token(alice, hf, connect, client, monkeypatch)
    hf.refresh_tokens.clear()  # the person revoked the app on huggingface.co
    assert poll_job(job.pk) == "failed"
    job.refresh_from_db()
    assert "connect it again" in job.failure_reason


def test_provider_outage_mid_job_backs_off_and_keeps_the_run(client, alice, hf, connect,
                                                             monkeypatch):  # fmt: skip
    job = _running_job_with_an_expired_token(alice, hf, connect, client, monkeypatch)
    hf.fail("token", status=429)
    assert poll_job(job.pk) == "busy"
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.poll_failures == 1
    assert job.next_poll_at > timezone.now()
