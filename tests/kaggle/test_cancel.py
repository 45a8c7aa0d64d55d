"""Cancelling a Kaggle run: Kaggle's API cannot stop a kernel, so every surface says so
plainly, and only a confirmed cancel stops the hub following the run."""

import time

import pytest

from accounts.models import AuditEvent
from asthub_client.cli import main
from asthub_site.errors import Conflict
from jobs import services
from jobs.models import JobStatus
from tests.kaggle.conftest import ALICE_TOKEN, launched, sweep

pytestmark = pytest.mark.django_db


def test_cancel_without_confirm_says_kaggle_cannot_stop_it(kaggle_alice, kaggle_fake, hub):
    job, _ = launched(kaggle_alice, hub, kaggle_fake)
    with pytest.raises(Conflict) as refused:
        services.cancel_training(user=kaggle_alice, job_id=job.pk)
    message = refused.value.message
    assert "Kaggle's API cannot stop a running kernel" in message
    assert f"https://www.kaggle.com/code/alice-kg/ast-hub-job-{job.pk}" in message
    assert "confirm=true" in message
    assert "at the latest" in message and "session limit" in message
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert sweep() == {"polled": 1, "running": 1}  # still followed


def test_confirmed_cancel_stops_following_the_run(kaggle_alice, kaggle_fake, hub):
    job, _ = launched(kaggle_alice, hub, kaggle_fake)
    cancelled = services.cancel_training(user=kaggle_alice, job_id=job.pk, confirm=True)
    assert cancelled.status == JobStatus.CANCELLED
    assert "may still be going on Kaggle" in cancelled.failure_reason
    assert "at the latest" in cancelled.failure_reason
    before = len(kaggle_fake.calls("GetKernelSessionStatus"))
    assert sweep() == {"polled": 0}
    assert len(kaggle_fake.calls("GetKernelSessionStatus")) == before
    audit = AuditEvent.objects.get(action="job.cancelled")
    assert audit.detail == {"platform_stopped": False}


def test_queued_kaggle_job_cancels_at_once(kaggle_alice, kaggle_fake, hub):
    from jobs.spec import JobSpec
    from tests.kaggle.conftest import FAST

    job = services.start_training(user=kaggle_alice, spec=JobSpec.from_dict(FAST))
    assert services.cancel_training(user=kaggle_alice, job_id=job.pk).status == "cancelled"
    assert not kaggle_fake.calls("SaveKernel")


def test_rest_cancel_needs_confirm_and_bob_gets_404(kaggle_alice, bob, kaggle_fake, hub, api_as):
    job, _ = launched(kaggle_alice, hub, kaggle_fake)
    url = f"/api/v1/jobs/{job.pk}/cancel/"
    assert api_as(bob).post(url, {"confirm": True}, format="json").status_code == 404
    refused = api_as(kaggle_alice).post(url)
    assert refused.status_code == 409
    assert "API cannot stop a running kernel" in refused.json()["error"]["message"]
    assert api_as(kaggle_alice).post(url, {"force": True}, format="json").status_code == 400
    done = api_as(kaggle_alice).post(url, {"confirm": True}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "cancelled"


def test_cli_cancel_explains_then_confirm_stops_following(
    kaggle_alice, kaggle_fake, hub, token_for, capsys, hub_transport
):
    job, _ = launched(kaggle_alice, hub, kaggle_fake)
    transport = hub_transport
    argv = ["--url", "http://testserver", "--token", token_for(kaggle_alice)]
    assert main([*argv, "cancel", str(job.pk)], transport=transport) != 0
    assert "API cannot stop a running kernel" in capsys.readouterr().err
    assert main([*argv, "cancel", str(job.pk), "--confirm"], transport=transport) == 0
    assert f"Job {job.pk} is cancelled" in capsys.readouterr().out


def test_portal_asks_to_confirm_before_it_stops_following(kaggle_alice, kaggle_fake, hub, client):
    job, _ = launched(kaggle_alice, hub, kaggle_fake)
    client.force_login(kaggle_alice)
    page = client.post(f"/portal/jobs/{job.pk}/cancel/", follow=True)
    html = page.content.decode()
    assert "Kaggle&#x27;s API cannot stop a running kernel" in html
    assert 'id="confirm-cancel"' in html and "Stop following it" in html
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    client.post(f"/portal/jobs/{job.pk}/cancel/", {"confirm": "yes"})
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


@pytest.mark.slow
def test_a_kernel_no_longer_followed_is_killed_at_its_session_limit(kaggle_alice, kaggle_fake):
    """The hub cannot stop a kernel, so it saves each with the runtime limit as its session
    timeout; Kaggle then kills it on its own clock, with nobody polling."""
    from jobs.platforms.base import JobHandle
    from jobs.platforms.kaggle.adapter import KaggleAdapter
    from jobs.training.config import TrainingConfig

    kaggle_fake.run_engine()
    config = TrainingConfig.from_dict({"dataset": "digits", "model": "mlp", "epochs": 1000})
    handle = JobHandle(id=9001, owner_id=kaggle_alice.pk, config=config.to_dict(),
                       is_baseline=False, hardware="cpu", max_runtime_seconds=4)  # fmt: skip
    KaggleAdapter().launch(handle, {"token": ALICE_TOKEN, "username": "alice-kg"})
    run = kaggle_fake.kernel("alice-kg", "ast-hub-job-9001").versions[0].run
    engine = run.inner.process
    deadline = time.monotonic() + 30
    while engine.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert engine.poll() is not None, "the engine outlived its session limit"
    assert run.status() == "ERROR" and "timeout of 4 seconds" in run.failure()
