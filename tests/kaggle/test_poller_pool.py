"""The poller's thread pool on PostgreSQL (SQLite's in-memory test database takes no
writes from several threads): one slow Kaggle answer is cut at the timeout on its own
thread while the other jobs are polled."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import JobStatus
from jobs.runs.poll import poll_due_jobs
from tests.kaggle.conftest import launched

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_slow_answer_does_not_hold_up_the_others(kaggle_alice, kaggle_bob, kaggle_fake, hub,
                                                     settings):  # fmt: skip
    settings.PLATFORM_HTTP_TIMEOUT_SECONDS = 1
    fast_jobs = [launched(kaggle_alice, hub, kaggle_fake)[0] for _ in range(3)]
    slow_job, _ = launched(kaggle_bob, hub, kaggle_fake)
    kaggle_fake.slow(3, routes=("GetKernelSessionStatus",), owner="bob-kg")
    started = time.monotonic()
    outcome = poll_due_jobs(now=timezone.now() + timedelta(hours=1))
    elapsed = time.monotonic() - started
    assert outcome == {"polled": 4, "running": 3, "busy": 1}
    assert elapsed < 2.5  # the slow answer was cut at the timeout, on its own thread
    slow_job.refresh_from_db()
    assert slow_job.status == JobStatus.RUNNING and "did not answer" in slow_job.last_poll_error
    for job in fast_jobs:
        job.refresh_from_db()
        assert job.poll_failures == 0
