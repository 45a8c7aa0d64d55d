"""Following Kaggle runs: the beat poller's sweep asks for each kernel's status with its
version label, reads the log from the kept cursor, stores each metric once, copies the
outputs on COMPLETE and fails the job with Kaggle's message on ERROR; 429 and 5xx only
push the next poll back."""

import json
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import Artifact, JobStatus, TrainingJob
from jobs.platforms.base import JobHandle
from jobs.platforms.kaggle.adapter import KaggleAdapter
from jobs.spec import JobSpec
from tests.kaggle.conftest import ALICE_TOKEN, BOB_TOKEN, epochs_of, launched, metric, sweep

pytestmark = pytest.mark.django_db


def test_metrics_arrive_from_the_log_once_each(kaggle_alice, kaggle_fake, hub):
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    sweep()
    assert epochs_of(job) == []  # queued: status only
    run.start()
    run.emit("loading digits\n")
    run.emit(metric(0))
    run.emit(metric(1)[:20])  # half a line: its newline has not arrived
    sweep()
    assert epochs_of(job) == [0]
    sweep()  # a repeated poll reads nothing twice
    assert epochs_of(job) == [0]
    run.emit(metric(1)[20:])
    run.emit("warning: something on stderr\n", stream="stderr")
    sweep()
    assert epochs_of(job) == [0, 1]
    job.refresh_from_db()
    assert job.platform_state["log_events"] == 5 and job.platform_state["log_partial"] == ""
    status_calls = kaggle_fake.calls("GetKernelSessionStatus")
    assert len(status_calls) == 4  # one status call per job per sweep
    assert {json.dumps(c.user) for c in status_calls} == {'"alice-kg"'}


def test_complete_run_copies_paged_outputs_without_credentials(kaggle_alice, kaggle_fake, hub):
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    run.start()
    run.emit(metric(0))
    summary = {"status": "completed", "final_val_accuracy": 0.9, "epochs_completed": 3}
    files = {
        "summary.json": json.dumps(summary).encode(),
        "metrics.jsonl": b"{}\n",
        "model.safetensors": b"\x00" * 2048,
        "config.json": b"{}",
        "plots/accuracy.png": b"png",
    }
    run.emit(metric(1))
    run.emit(metric(2))
    run.finish(files)
    assert sweep() == {"polled": 1, "succeeded": 1}
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert epochs_of(job) == [0, 1, 2]  # the final log read caught the last lines
    assert job.summary == summary
    names = sorted(Artifact.objects.filter(job=job).values_list("name", flat=True))
    assert names == sorted(files)
    # The fake answers 2 files a page and refuses a signed URL that carries credentials.
    assert len(kaggle_fake.calls("ListKernelSessionOutput")) == 3
    assert all(c.user is None for c in kaggle_fake.seen if c.route == "storage")
    assert sweep() == {"polled": 0}  # finished jobs are not polled


def test_error_run_fails_with_kaggles_message(kaggle_alice, kaggle_fake, hub):
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    run.start()
    run.emit(metric(0))
    run.fail("CUDA out of memory")
    sweep()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "Kaggle kernel failed: CUDA out of memory" in job.failure_reason
    assert epochs_of(job) == [0]


def test_busy_kaggle_backs_off_honouring_retry_after_and_keeps_the_job(
    kaggle_alice, kaggle_fake, hub
):
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    run.start()
    run.emit(metric(0))
    kaggle_fake.fail(429, retry_after=120, routes=("GetKernelSessionStatus",))
    before = timezone.now()
    assert sweep()["busy"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.poll_failures == 1
    assert "429" in job.last_poll_error
    assert job.next_poll_at >= before + timedelta(seconds=119)
    kaggle_fake.fail(500, count=3, routes=("logs/stream",))  # more than a poll waits out
    assert sweep()["busy"] == 1
    job.refresh_from_db()
    assert job.poll_failures == 2 and epochs_of(job) == []
    kaggle_fake.fail(500, count=1, routes=("logs/stream",))  # a blip is retried at once
    assert sweep() == {"polled": 1, "running": 1}
    job.refresh_from_db()
    assert job.poll_failures == 0 and job.last_poll_error == "" and epochs_of(job) == [0]


def test_revoked_credential_keeps_the_job_and_says_why(kaggle_alice, kaggle_fake, hub):
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    kaggle_fake.users["alice-kg"].token = "KGAT_rotated_elsewhere"
    sweep()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING
    assert "Kaggle refused the credential" in job.last_poll_error


def test_two_users_launching_at_once_each_send_only_their_own_credential(
    kaggle_alice, kaggle_bob, kaggle_fake
):
    adapter = KaggleAdapter()
    barrier = threading.Barrier(2)
    results = {}

    def launch(name, job_id, token):
        handle = JobHandle(id=job_id, owner_id=0, config=JobSpec(epochs=1).engine_config(),
                           is_baseline=False, hardware="t4")  # fmt: skip
        barrier.wait()
        results[name] = adapter.launch(handle, {"token": token, "kaggle_username": name})

    threads = [
        threading.Thread(target=launch, args=("alice-kg", 901, ALICE_TOKEN)),
        threading.Thread(target=launch, args=("bob-kg", 902, BOB_TOKEN)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results["alice-kg"].external_id == "alice-kg/ast-hub-job-901"
    assert results["bob-kg"].external_id == "bob-kg/ast-hub-job-902"
    for seen in kaggle_fake.seen:
        assert seen.user == seen.addressed_owner or seen.addressed_owner is None, seen
    assert {s.user for s in kaggle_fake.calls("SaveKernel")} == {"alice-kg", "bob-kg"}


def test_a_run_supervised_by_this_hub_is_never_polled(kaggle_alice, kaggle_fake, hub):
    # Only runs the platform took (launched with next_poll_at) are polled; a local run
    # is followed by the worker supervising its engine.
    job, _ = launched(kaggle_alice, hub, kaggle_fake)
    TrainingJob.objects.filter(pk=job.pk).update(platform="local", next_poll_at=None)
    assert sweep() == {"polled": 0}
