"""No job stays "running" forever, and artifacts land in S3-compatible storage."""

from datetime import timedelta

import boto3
import pytest
import requests
from django.utils import timezone

from jobs import services
from jobs.models import JobStatus, TrainingJob
from jobs.spec import JobSpec
from jobs.tasks import reconcile_jobs
from tests.jobs.conftest import FAST
from tests.live_hub import free_port

pytestmark = pytest.mark.django_db


def _orphan(user, attempts: int) -> TrainingJob:
    """A job whose worker died mid-run: running, with a heartbeat long gone."""
    job = services.start_training(user=user, spec=JobSpec.from_dict(FAST))
    TrainingJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=attempts,
        started_at=timezone.now() - timedelta(minutes=10),
        heartbeat_at=timezone.now() - timedelta(minutes=10),
    )
    return job


def test_orphaned_run_is_resumed_and_finishes(alice, eager_tasks):
    job = _orphan(alice, attempts=1)
    result = reconcile_jobs()
    job.refresh_from_db()
    assert result["resumed"] == 1
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    assert job.metric_points.count() == 3


def test_run_that_keeps_losing_its_worker_fails_with_a_reason(alice, settings):
    job = _orphan(alice, attempts=settings.JOB_MAX_RESUMES + 1)
    assert reconcile_jobs()["failed"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "stopped" in job.failure_reason


def test_launch_lost_before_the_broker_is_sent_again(alice, eager_tasks):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))  # never enqueued
    TrainingJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert reconcile_jobs()["relaunched"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED


@pytest.fixture
def s3_bucket(settings, monkeypatch):
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    endpoint = f"http://127.0.0.1:{port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket="artifacts")
    # The hub writes through 127.0.0.1; callers are sent to "localhost", as compose's
    # hub reaches MinIO at http://minio:9000 while browsers reach it at a public address.
    public = f"http://localhost:{port}"
    yield (
        s3,
        f"s3://artifacts/hub?endpoint_url={endpoint}&region=us-east-1&public_endpoint_url={public}",
    )
    server.stop()


def test_artifacts_go_to_s3_and_download_through_a_presigned_redirect(
    alice, api_as, eager_tasks, s3_bucket
):
    from django.conf import settings

    from jobs.artifacts import _storage_for

    s3, url = s3_bucket
    settings.ARTIFACT_STORAGE_URL = url
    _storage_for.cache_clear()
    api = api_as(alice)
    with eager_tasks(execute=True):
        job_id = api.post("/api/v1/jobs/", FAST).json()["id"]
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket="artifacts")["Contents"]}
    assert f"hub/jobs/{alice.pk}/{job_id}/model.safetensors" in keys
    listing = api.get(f"/api/v1/jobs/{job_id}/artifacts/").json()
    summary = next(a for a in listing if a["name"] == "summary.json")
    # The hub hands out a short-lived presigned link; the bytes come from the bucket.
    redirect = api.get(summary["url"])
    assert redirect.status_code == 302 and "no-store" in redirect["Cache-Control"]
    location = redirect["Location"]
    assert location.startswith(url.split("public_endpoint_url=")[1] + "/artifacts/hub/jobs/")
    assert "X-Amz-Signature=" in location and "X-Amz-Expires=300" in location
    download = requests.get(location, timeout=10)
    assert download.status_code == 200 and len(download.content) == summary["size"]
    assert b'"status": "completed"' in download.content
    assert download.headers["Content-Type"] == "application/json"
    assert download.headers["Content-Disposition"] == 'attachment; filename="summary.json"'
