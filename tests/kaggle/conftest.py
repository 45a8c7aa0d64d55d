"""Kaggle jobs for real against the local Kaggle: Celery tasks run eagerly in the test
process, the poller's sweep is called as beat would call it, and the fake runs kernels."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import CredentialInput, add_credential
from asthub_site.celery import app as celery_app
from billing.services import change_plan
from jobs import services
from jobs.models import JobStatus, MetricPoint
from jobs.spec import JobSpec

ALICE_TOKEN = "KGAT_alice_0123456789abcdef"
BOB_TOKEN = "KGAT_bob_fedcba9876543210"
FAST = {"platform": "kaggle", "dataset": "digits", "model": "mlp", "epochs": 2}


@pytest.fixture
def hub(settings, tmp_path, django_capture_on_commit_callbacks):
    """Eager tasks, artifacts under tmp_path, polls due at once, short log reads."""
    settings.ARTIFACT_STORAGE_URL = ""
    settings.VAR_DIR = tmp_path
    settings.REMOTE_POLL_INTERVAL_SECONDS = 0
    settings.REMOTE_POLL_CONCURRENCY = 4
    settings.PLATFORM_HTTP_TIMEOUT_SECONDS = 5
    settings.KAGGLE_LOG_IDLE_SECONDS = 0.2
    from jobs.artifacts import _storage_for

    _storage_for.cache_clear()
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield django_capture_on_commit_callbacks
    finally:
        celery_app.conf.task_always_eager = previous
        _storage_for.cache_clear()


@pytest.fixture
def kaggle_alice(alice, kaggle_fake):
    """Alice on Pro with her Kaggle account "alice-kg" connected by access token."""
    change_plan(user=alice, plan="pro")
    kaggle_fake.add_user("alice-kg", token=ALICE_TOKEN)
    add_credential(user=alice, data=CredentialInput(provider="kaggle", token=ALICE_TOKEN))
    return alice


@pytest.fixture
def kaggle_bob(bob, kaggle_fake):
    change_plan(user=bob, plan="pro")
    kaggle_fake.add_user("bob-kg", token=BOB_TOKEN)
    add_credential(user=bob, data=CredentialInput(provider="kaggle", token=BOB_TOKEN))
    return bob


def sweep() -> dict[str, int]:
    """One beat tick of the poller, "now" far enough ahead that every backoff is over.

    The jobs are polled one after another in this thread, as `poll_due_jobs` does on its
    pool: SQLite's shared in-memory test database cannot take writes from several
    threads. The pool itself is exercised on PostgreSQL (test_poller_pool.py).
    """
    from jobs.runs.poll import due_job_ids, poll_job

    now = timezone.now() + timedelta(hours=1)
    ids = due_job_ids(now)
    outcomes = {"polled": len(ids)}
    for job_id in ids:
        outcome = poll_job(job_id, now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def metric(epoch: int, epochs: int = 3) -> str:
    point = {"epoch": epoch, "epochs": epochs, "val_accuracy": 0.5 + epoch / 10, "step": epoch}
    return f"AST_METRIC {json.dumps(point)}\n"


def launched(user, hub, fake, **fields):
    fake.run_manually()
    with hub(execute=True):
        job = services.start_training(user=user, spec=JobSpec.from_dict(FAST | fields))
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING, job.failure_reason
    run = fake.run_of("alice-kg" if job.owner.email.startswith("alice") else "bob-kg",
                      f"ast-hub-job-{job.pk}")  # fmt: skip
    return job, run


def epochs_of(job) -> list[int]:
    return list(
        MetricPoint.objects.filter(job=job).order_by("epoch").values_list("epoch", flat=True)
    )
