"""An HF Jobs run on a Hugging Face account connected through OAuth, against one fake
that is both the Hub and its OIDC provider (as huggingface.co is): the access token
expires mid-job, the poller refreshes it, and the Hub accepts only the fresh one."""

import time

import pytest
from django.utils import timezone

from accounts.crypto import decrypt_secret, encrypt_secret
from accounts.models import CredentialKind, PlatformCredential
from accounts.oauth import provider as hf_provider
from jobs import services
from jobs.models import JobStatus, MetricPoint, TrainingJob
from jobs.runs.poll import poll_job
from jobs.spec import JobSpec
from tests.fakes.huggingface_oauth import FakeHFOAuth
from tests.hf_oauth.conftest import CLIENT_ID, CLIENT_SECRET, run_flow

pytestmark = pytest.mark.django_db


@pytest.fixture
def oauth_on_hub(hf_hub, settings):
    provider = FakeHFOAuth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, auto_approve=True)
    hf_hub.mount_oauth(provider)
    settings.HF_OAUTH_ISSUER = hf_hub.url
    settings.HF_OAUTH_CLIENT_ID = CLIENT_ID
    settings.HF_OAUTH_CLIENT_SECRET = CLIENT_SECRET
    hf_provider._client_for.cache_clear()
    yield provider
    hf_provider._client_for.cache_clear()


def _expire_stored_token(user) -> str:
    credential = PlatformCredential.objects.get(owner=user, kind=CredentialKind.OAUTH)
    secret = decrypt_secret(owner_id=user.pk, ciphertext=credential.ciphertext)
    credential.ciphertext = encrypt_secret(
        owner_id=user.pk, secret=secret | {"expires_at": int(time.time()) - 5}
    )
    credential.save()
    return secret["token"]


def _stored_access_token(user) -> str:
    credential = PlatformCredential.objects.get(owner=user, kind=CredentialKind.OAUTH)
    return decrypt_secret(owner_id=user.pk, ciphertext=credential.ciphertext)["token"]


def test_oauth_connected_hf_job_survives_a_token_refresh_mid_run(
    client, alice, hf_hub, oauth_on_hub, eager_tasks, settings
):
    settings.REMOTE_POLL_INTERVAL_SECONDS = 0
    oauth_on_hub.sign_in(oauth_on_hub.add_user("alice-hf"))
    client.force_login(alice)
    run_flow(client, "/oauth/huggingface/connect/")
    with eager_tasks(execute=True):
        job = services.start_training(
            user=alice,
            spec=JobSpec.from_dict(
                {"dataset": "digits", "model": "mlp", "epochs": 1000, "platform": "huggingface"}
            ),
        )
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.external_id
    # Let the job fetch its script with the first token, as a real job does at start.
    deadline = time.monotonic() + 60
    while not MetricPoint.objects.filter(job=job).exists() and time.monotonic() < deadline:
        TrainingJob.objects.filter(pk=job.pk).update(next_poll_at=timezone.now())
        assert poll_job(job.pk) == "running"
        time.sleep(0.2)
    assert MetricPoint.objects.filter(job=job).exists()

    old_token = _expire_stored_token(alice)
    oauth_on_hub.expire_access_tokens()
    assert hf_hub.user_for_token(old_token) is None  # the Hub refuses it from now on
    TrainingJob.objects.filter(pk=job.pk).update(next_poll_at=timezone.now())
    assert poll_job(job.pk) == "running"
    job.refresh_from_db()
    assert job.poll_failures == 0 and not job.last_poll_error
    fresh = _stored_access_token(alice)
    assert fresh != old_token and hf_hub.user_for_token(fresh).name == "alice-hf"
    assert oauth_on_hub.count("token", "refresh_token") == 1
    # The poll after the refresh reached the Hub's job API with the fresh token.
    job_calls = [t for _, path, t in hf_hub.requests if path.startswith("/api/jobs/alice-hf/")]
    assert job_calls[-1] == fresh

    services.cancel_training(user=alice, job_id=job.pk)
    assert hf_hub.wait_for_job(job.external_id, timeout=30).stage == "CANCELED"
