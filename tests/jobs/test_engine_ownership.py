"""Engines are owned: recorded on their job, stopped by cancel, the runtime limit and the
reconciler even when the worker that started them is gone, and never two per job. Real
engine processes; the test process plays the part of the dead worker."""

import contextlib
import os
import signal
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from jobs import services, state
from jobs.models import JobStatus, TrainingJob
from jobs.platforms.local import LocalAdapter
from jobs.platforms.local.processes import engines_of_this_hub, this_host
from jobs.runs.engines import record_engine
from jobs.runs.handles import handle_for
from jobs.runs.reconcile import reconcile
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _orphaned_run(user, **spec):
    """A running job whose supervisor died on this host, leaving its engine running."""
    job = services.start_training(user=user, spec=JobSpec.from_dict(FAST | spec))
    state.transition(job.pk, JobStatus.LAUNCHING)
    state.transition(
        job.pk, JobStatus.RUNNING, supervisor_host=this_host(), supervisor_pid=_dead_pid()
    )
    job.refresh_from_db()
    run = LocalAdapter().start_engine(handle_for(job))
    record_engine(job.pk, run.pgid)
    TrainingJob.objects.filter(pk=job.pk).update(attempts=1)
    return job, run


def _wait_for_first_epoch(run, timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not (run.out / "metrics.jsonl").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (run.out / "metrics.jsonl").exists(), "the engine wrote no epoch"


def _frozen_until_told_to_stop(run) -> None:
    """SIGSTOP the engine's group, and SIGCONT it once a SIGTERM is pending for it (read
    from /proc), so it handles the stop request as a live engine would, and nothing more."""
    os.killpg(run.pgid, signal.SIGSTOP)
    term = 1 << (signal.SIGTERM - 1)

    def pending() -> int:
        try:
            status = Path(f"/proc/{run.process.pid}/status").read_text()
        except FileNotFoundError:
            return term
        masks = [line.split()[1] for line in status.splitlines()
                 if line.startswith(("SigPnd:", "ShdPnd:"))]  # fmt: skip
        return sum(int(mask, 16) for mask in masks)

    def wake() -> None:
        deadline = time.monotonic() + 60
        while not pending() & term and time.monotonic() < deadline:
            time.sleep(0.02)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pgid, signal.SIGCONT)

    threading.Thread(target=wake, daemon=True).start()


def test_cancel_stops_an_engine_whose_worker_is_gone(alice, eager_tasks):
    job, run = _orphaned_run(alice, dataset="mnist1d", epochs=500)
    job = services.cancel_training(user=alice, job_id=job.pk)
    assert run.process.wait(timeout=30) is not None  # SIGTERM: it wrote its outputs and left
    assert job.status == JobStatus.CANCELLED
    assert not engines_of_this_hub()


def test_reconciler_stops_the_orphan_before_resuming_the_run_from_its_checkpoint(
    alice, eager_tasks
):
    job, orphan = _orphaned_run(alice, epochs=40)
    _wait_for_first_epoch(orphan)
    # A digits epoch takes a few hundredths of a second: frozen, the orphan cannot finish
    # its run before the reconciler gets to it, however slow the machine.
    _frozen_until_told_to_stop(orphan)
    with eager_tasks(execute=True):
        counts = reconcile()
    assert counts["resumed"] == 1, counts
    assert orphan.process.poll() is not None  # stopped before the new engine started
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    assert job.attempts == 2 and job.engine_pgid is None
    assert list(job.metric_points.order_by("epoch").values_list("epoch", flat=True)) == list(
        range(1, 41)
    )
    assert not engines_of_this_hub()


def test_orphan_past_the_plans_runtime_is_stopped_and_failed_not_resumed(
    alice, eager_tasks, monkeypatch
):
    from billing import quotas

    monkeypatch.setattr(quotas, "max_runtime_seconds", lambda *, user: 60)
    job, orphan = _orphaned_run(alice, dataset="mnist1d", epochs=500)
    TrainingJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=1))
    counts = reconcile()
    assert counts == counts | {"resumed": 0, "failed": 1}
    assert orphan.process.wait(timeout=30) is not None
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "maximum runtime" in job.failure_reason
    assert not engines_of_this_hub()


def test_run_that_completed_while_unsupervised_is_finished_from_its_folder_not_rerun(
    alice, eager_tasks
):
    job, engine = _orphaned_run(alice, epochs=3)
    assert engine.process.wait(timeout=120) == 0
    counts = reconcile()
    assert (counts["finished"], counts["resumed"]) == (1, 0)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 1
    assert job.summary["status"] == "completed"
    assert list(job.metric_points.values_list("epoch", flat=True).order_by("epoch")) == [1, 2, 3]
