"""Jobs run for real: Celery tasks execute eagerly in the test process and the engine
runs as a subprocess on digits, exactly as a training worker would run it."""

import pytest

from asthub_site.celery import app as celery_app
from billing.services import change_plan

FAST = {"dataset": "digits", "model": "mlp", "epochs": 3, "batch_size": 128}


@pytest.fixture
def eager_tasks(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.LOCAL_JOBS_DIR = tmp_path / "jobs"
    settings.ARTIFACT_STORAGE_URL = ""
    settings.VAR_DIR = tmp_path
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
def pro_alice(alice):
    change_plan(user=alice, plan="pro")
    return alice
