"""An HF Jobs run's log through GET /api/v1/jobs/<id>/logs: the real huggingface_hub reads
the fake Hub's SSE log route (the job placed in the fake as the Jobs API would hold it)."""

import time

import pytest

from jobs import services
from jobs.models import JobStatus, TrainingJob
from jobs.spec import JobSpec
from tests.fakes.huggingface import Job as HubJob
from tests.fakes.huggingface import LogLine

pytestmark = pytest.mark.django_db
QUICK = {"dataset": "digits", "model": "mlp", "epochs": 2, "platform": "huggingface"}


def _hf_job(hf_hub, user, namespace: str, stage: str, lines: list[str]) -> TrainingJob:
    """A hub job whose HF job has run as far as `stage`, having printed `lines`."""
    now = time.time()
    hub_job = HubJob(
        id=f"{len(hf_hub.jobs) + 1:024x}",
        owner=hf_hub.users[namespace],
        spec={"dockerImage": "pytorch/pytorch", "command": ["python"]},
        created_at=now,
        stage=stage,
        started_at=now,
        logs=[LogLine(now, "===== Job started at 2026-12-01T10:00:00 =====")]
        + [LogLine(now, line) for line in lines],
    )
    hf_hub.jobs[hub_job.id] = hub_job
    job = services.start_training(user=user, spec=JobSpec.from_dict(QUICK))
    status = JobStatus.RUNNING if stage == "RUNNING" else JobStatus.SUCCEEDED
    TrainingJob.objects.filter(pk=job.pk).update(
        status=status, external_id=hub_job.id, platform_state={"namespace": namespace}
    )
    return job


def test_a_finished_hf_jobs_log_is_served_complete_with_the_token_redacted(
    pro_alice, bob, connect_hf, hf_hub, api_as
):
    token = connect_hf(pro_alice, "alice-hf")
    job = _hf_job(hf_hub, pro_alice, "alice-hf", "COMPLETED", ["epoch 1", f"login {token}", "done"])
    body = api_as(pro_alice).get(f"/api/v1/jobs/{job.pk}/logs", {"tail": 5}).json()
    assert body == {
        "job_id": job.pk,
        "lines": ["epoch 1", "login [redacted]", "done"],
        "cursor": "3",
        "complete": True,
        "source": "huggingface",
    }
    assert api_as(bob).get(f"/api/v1/jobs/{job.pk}/logs").status_code == 404


def test_hugging_face_rate_limiting_the_log_is_a_clear_503(pro_alice, connect_hf, hf_hub, api_as):
    connect_hf(pro_alice, "alice-hf")
    job = _hf_job(hf_hub, pro_alice, "alice-hf", "RUNNING", ["epoch 1"])
    hf_hub.fail(429, path=r"/api/jobs/.*/logs", retry_after=1)
    api = api_as(pro_alice)
    busy = api.get(f"/api/v1/jobs/{job.pk}/logs")
    assert busy.status_code == 503
    assert "Hugging Face is busy" in busy.json()["error"]["message"]
    # Within its Retry-After the Hub is not asked again, however often the page polls.
    asked = len([r for r in hf_hub.requests if r[1].endswith("/logs")])
    assert api.get(f"/api/v1/jobs/{job.pk}/logs").status_code == 503
    assert len([r for r in hf_hub.requests if r[1].endswith("/logs")]) == asked
    # Once it has passed, the log is there, still growing.
    time.sleep(1.1)
    body = api.get(f"/api/v1/jobs/{job.pk}/logs").json()
    assert body["lines"] == ["epoch 1"] and body["complete"] is False
