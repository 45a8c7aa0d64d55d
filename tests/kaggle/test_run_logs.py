"""A Kaggle run's log through GET /api/v1/jobs/<id>/logs: read from the local Kaggle's log
route with the real kagglesdk session, kept a few seconds so a polling page does not poll
Kaggle, the last copy served when Kaggle answers 429, never a 500."""

import pytest
from django.core.cache import cache

from tests.kaggle.conftest import ALICE_TOKEN, launched, sweep

pytestmark = pytest.mark.django_db


def _logs(api, job, **params):
    return api.get(f"/api/v1/jobs/{job.pk}/logs", params)


def test_a_running_kernels_log_is_served_redacted_and_read_from_kaggle_at_most_every_few_seconds(
    kaggle_alice, kaggle_fake, hub, api_as, settings
):
    api = api_as(kaggle_alice)
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    run.start()
    run.emit("loading digits\n")
    run.emit(f"authenticated with {ALICE_TOKEN}\n")
    run.emit("warning: slow disk\n", stream="stderr")
    run.emit("epoch 1 of 3")  # no newline yet

    body = _logs(api, job).json()
    assert body["source"] == "kaggle" and body["complete"] is False
    assert body["lines"] == [
        "loading digits",
        "authenticated with [redacted]",
        "warning: slow disk",
    ]
    reads = len(kaggle_fake.calls("logs/stream"))

    run.emit(" done\n")
    again = _logs(api, job, after=body["cursor"]).json()
    assert again["lines"] == []  # the copy read a moment ago
    assert len(kaggle_fake.calls("logs/stream")) == reads

    settings.REMOTE_LOG_CACHE_SECONDS = 0
    fresh = _logs(api, job, after=body["cursor"]).json()
    assert fresh["lines"] == ["epoch 1 of 3 done"]


def test_kaggle_busy_serves_the_last_copy_or_a_clear_503(
    kaggle_alice, kaggle_fake, hub, api_as, settings
):
    settings.REMOTE_LOG_CACHE_SECONDS = 0
    api = api_as(kaggle_alice)
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    run.start()
    run.emit("epoch 1\n")
    assert _logs(api, job).json()["lines"] == ["epoch 1"]

    kaggle_fake.fail(429, routes=("logs/stream",), retry_after=30)
    kept = _logs(api, job)
    assert kept.status_code == 200 and kept.json()["lines"] == ["epoch 1"]

    cache.clear()  # nothing kept: the caller hears why and to try again
    kaggle_fake.fail(429, routes=("logs/stream",), retry_after=30)
    busy = _logs(api, job)
    assert busy.status_code == 503
    error = busy.json()["error"]
    assert error["code"] == "platform_busy" and "try again" in error["message"]


def test_a_finished_kernels_whole_log_is_complete_and_another_tenant_gets_404(
    kaggle_alice, kaggle_bob, kaggle_fake, hub, api_as
):
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    run.start()
    run.emit("epoch 1\n")
    assert _logs(api_as(kaggle_alice), job).json()["lines"] == ["epoch 1"]  # kept a moment
    run.emit("Traceback (most recent call last):\nValueError: bad label")
    run.fail("the kernel ended with an error")
    sweep()
    job.refresh_from_db()
    assert job.status == "failed"

    body = _logs(api_as(kaggle_alice), job).json()
    assert body["lines"] == [
        "epoch 1",
        "Traceback (most recent call last):",
        "ValueError: bad label",
    ]
    assert body["complete"] is True
    assert _logs(api_as(kaggle_bob), job).status_code == 404
