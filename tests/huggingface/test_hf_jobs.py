"""Training on HF Jobs against the fake Hub, whose jobs really run the engine."""

import hashlib
import math
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import PlatformCredential
from asthub_site.errors import MissingCredential
from jobs import selectors, services
from jobs.models import JobStatus, MetricPoint, TrainingJob
from jobs.monitoring import monitor_training
from jobs.runs.poll import poll_job
from jobs.spec import JobSpec

pytestmark = pytest.mark.django_db

QUICK = {"dataset": "digits", "model": "mlp", "epochs": 2, "platform": "huggingface"}


def _start(user, capture, **overrides) -> TrainingJob:
    with capture(execute=True):
        job = services.start_training(user=user, spec=JobSpec.from_dict(QUICK | overrides))
    job.refresh_from_db()
    return job


def test_hf_job_runs_engine_streams_each_metric_once_and_keeps_outputs(
    alice, connect_hf, hf_hub, eager_tasks, poll_until_done
):
    token = connect_hf(alice, "alice-hf")
    job = _start(alice, eager_tasks)
    assert job.status == JobStatus.RUNNING, job.failure_reason
    state = job.platform_state
    assert state["namespace"] == "alice-hf" and state["flavor"] == "cpu-basic"

    # What reached the Jobs API: the user's token as a secret, the plan's runtime.
    remote = hf_hub.jobs[job.external_id]
    assert remote.owner.name == "alice-hf"
    assert remote.spec["secrets"] == {"HF_TOKEN": token}
    assert token not in str(remote.spec["environment"])
    assert remote.spec["timeoutSeconds"] == 2 * 3600  # Free plan: 2 h
    assert remote.spec["flavor"] == "cpu-basic"

    # The bundle sits pinned in a private repo; its digest is the job's.
    code = hf_hub.repo(f"alice-hf/asthub-job-{job.pk}")
    assert code is not None and code.private
    script = hf_hub.files(code.repo_id, revision=state["revision"])["asthub/script.py"]
    assert hashlib.sha256(script).hexdigest() == job.script_sha256

    job = poll_until_done(job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    assert [p["epoch"] for p in selectors.metric_points(job)] == [1, 2]
    assert MetricPoint.objects.filter(job=job).count() == 2
    assert job.summary and job.summary["epochs_completed"] == 2
    names = {artifact.name for artifact in selectors.artifacts_of(job)}
    assert {"model.safetensors", "metrics.jsonl", "summary.json", "ast_config.json"} <= names
    assert not any(name.startswith(("asthub/", ".cache")) for name in names)
    # The run committed its outputs into the user's own repo with the user's token.
    outputs = hf_hub.files(code.repo_id)
    assert "model.safetensors" in outputs and "checkpoint.pt" not in outputs

    # Polling again reads no line twice.
    final_state = job.platform_state
    assert final_state["log_cursor"] == len(
        [line for line in remote.logs if not line.text.startswith("===== Job started")]
    )

    monitor = monitor_training(user=alice, job_id=job.pk)
    started = remote.started_at
    billed_minutes = math.ceil(round((remote.finished_at - started) / 60, 9))
    assert monitor["cost_usd"] == pytest.approx(billed_minutes * 0.01 / 60, abs=1e-6)


def test_hf_output_goes_to_the_named_repo(alice, connect_hf, hf_hub, eager_tasks, poll_until_done):
    connect_hf(alice, "alice-hf")
    job = _start(alice, eager_tasks, hf_repo="alice-hf/digits-ast")
    assert hf_hub.repo("alice-hf/digits-ast").private
    job = poll_until_done(job.pk)
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    assert "model.safetensors" in hf_hub.files("alice-hf/digits-ast")
    assert "model.safetensors" not in hf_hub.files(f"alice-hf/asthub-job-{job.pk}")


def test_failed_hf_job_reports_the_platform_message_and_last_output(
    alice, connect_hf, eager_tasks, poll_until_done
):
    connect_hf(alice, "alice-hf")
    # A Hub data set the job cannot load: the hub accepts the name, the run fails there.
    job = _start(alice, eager_tasks, dataset="hf:someone/missing-set")
    job = poll_until_done(job.pk)
    assert job.status == JobStatus.FAILED
    reason = job.failure_reason
    assert "Job failed with exit code" in reason.splitlines()[0]
    # The log's own last error lines (the engine's error about the data set), then the log.
    error_lines = reason.splitlines()[1:-1]
    assert error_lines and len(error_lines) <= 8
    assert any("someone/missing-set" in line for line in error_lines)
    assert reason.splitlines()[-1].startswith("Log: ")


def test_rate_limited_poll_keeps_the_job_and_waits_the_retry_after(
    alice, connect_hf, hf_hub, eager_tasks, settings
):
    settings.REMOTE_POLL_INTERVAL_SECONDS = 0
    connect_hf(alice, "alice-hf")
    job = _start(alice, eager_tasks, epochs=50)
    hf_hub.fail(429, path=rf"^/api/jobs/alice-hf/{job.external_id}$", retry_after=120)
    before = timezone.now()
    assert poll_job(job.pk) == "busy"
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.poll_failures == 1
    assert "busy (429)" in job.last_poll_error
    assert job.next_poll_at >= before + timedelta(seconds=120)
    hf_hub.fail(500, path=rf"^/api/jobs/alice-hf/{job.external_id}/logs$")
    TrainingJob.objects.filter(pk=job.pk).update(next_poll_at=timezone.now())
    assert poll_job(job.pk) == "busy"
    services.cancel_training(user=alice, job_id=job.pk)


def test_revoked_token_is_shown_on_the_job_and_polling_goes_on(
    alice, connect_hf, hf_hub, eager_tasks, settings
):
    settings.REMOTE_POLL_INTERVAL_SECONDS = 0
    token = connect_hf(alice, "alice-hf")
    job = _start(alice, eager_tasks, epochs=50)
    hf_hub.revoke(token)
    assert poll_job(job.pk) == "busy"
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and "rejected the access token" in job.last_poll_error
    hf_hub.add_user("alice-hf", token=token)
    services.cancel_training(user=alice, job_id=job.pk)


def test_cancel_stops_the_run_on_hugging_face(alice, bob, api_as, connect_hf, hf_hub, eager_tasks):
    connect_hf(alice, "alice-hf")
    job = _start(alice, eager_tasks, epochs=200)
    assert api_as(bob).post(f"/api/v1/jobs/{job.pk}/cancel/").status_code == 404
    response = api_as(alice).post(f"/api/v1/jobs/{job.pk}/cancel/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    remote = hf_hub.wait_for_job(job.external_id, timeout=30)
    assert remote.stage == "CANCELED"


def test_busy_hub_on_cancel_leaves_the_job_running_and_says_so(
    alice, api_as, connect_hf, hf_hub, eager_tasks
):
    connect_hf(alice, "alice-hf")
    job = _start(alice, eager_tasks, epochs=200)
    hf_hub.fail(503, path=r"/cancel$")
    response = api_as(alice).post(f"/api/v1/jobs/{job.pk}/cancel/")
    assert response.status_code == 400
    assert "not cancelled" in response.json()["error"]["message"]
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert api_as(alice).post(f"/api/v1/jobs/{job.pk}/cancel/").status_code == 200


def test_flavors_are_checked_against_names_and_the_plan(alice, api_as, connect_hf):
    api = api_as(alice)
    unknown = api.post("/api/v1/jobs/", QUICK | {"hardware": "v100"}, format="json")
    assert unknown.status_code == 400
    assert "cpu-basic" in unknown.json()["error"]["message"]
    too_big = api.post("/api/v1/jobs/", QUICK | {"hardware": "a100-large"}, format="json")
    assert too_big.status_code == 403
    assert not TrainingJob.objects.filter(owner=alice).exists()


def test_start_without_hf_credential_is_refused_and_nothing_is_stored(alice, eager_tasks, hf_hub):
    with pytest.raises(MissingCredential, match="Hugging Face"):
        _start(alice, eager_tasks)
    assert not TrainingJob.objects.filter(owner=alice).exists()


def test_a_credential_removed_before_launch_fails_the_job_with_the_reason(
    alice, connect_hf, eager_tasks, hf_hub
):
    connect_hf(alice, "alice-hf")
    with eager_tasks(execute=True):
        job = services.start_training(user=alice, spec=JobSpec.from_dict(QUICK))
        PlatformCredential.objects.filter(owner=alice).delete()  # before the launch task
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Hugging Face" in job.failure_reason and "credential" in job.failure_reason.lower()


def test_launch_retried_after_a_busy_hub_reaches_the_platform_once(
    alice, connect_hf, hf_hub, eager_tasks
):
    connect_hf(alice, "alice-hf")
    hf_hub.fail(429, path=r"^/api/jobs/alice-hf$", method="POST", times=2, retry_after=1)
    job = _start(alice, eager_tasks, epochs=50)
    assert job.status == JobStatus.RUNNING and job.external_id
    services.cancel_training(user=alice, job_id=job.pk)


def test_launch_fails_with_the_reason_when_the_hub_stays_busy(
    alice, connect_hf, hf_hub, eager_tasks
):
    connect_hf(alice, "alice-hf")
    hf_hub.fail(503, path=r"^/api/jobs/alice-hf$", method="POST", times=50)
    job = _start(alice, eager_tasks)
    assert job.status == JobStatus.FAILED
    assert "stayed unavailable at launch" in job.failure_reason
    assert not job.external_id
