"""Supervising a run whose engine this hub starts (the local platform), in a training
worker: claim the run, start the engine, store its metric lines the moment they are
written, enforce cancel and the runtime limit, then finish it.

Exactly one supervisor runs a job: the one whose claim succeeded. A run is claimed from
"launching" the first time; later a run is taken over when the reconciler released it
(heartbeat cleared) or when its previous supervisor on this host is dead (its worker was
killed and the message came back). Whoever takes over stops the previous engine first
and resumes from the engine's last epoch checkpoint in the same folder; metric rows are
idempotent, so nothing is stored twice.
"""

import os
import time

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jobs import state
from jobs.models import JobStatus, TrainingJob
from jobs.platforms import adapter_for
from jobs.platforms.local.processes import this_host
from jobs.runs.engines import (
    forget_engine,
    record_engine,
    stop_job_engine,
    supervising,
    supervisor_is_gone,
)
from jobs.runs.finish import keep_outputs, mark_failed, mark_succeeded
from jobs.runs.handles import handle_for
from jobs.runs.metrics import record_metrics

# The engine's metric lines are read this often: a written epoch reaches the database
# (and, through the job event, every live stream) within about this long.
TAIL_INTERVAL = 0.05
# Cancellation is looked up in the database this often.
STATUS_INTERVAL = 0.5
HEARTBEAT_EVERY = 10.0


def supervise_run(job_id: int) -> str:
    """Run the job's engine to its end; returns what happened (for logs and tests)."""
    job = TrainingJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        return "not claimed"
    if not _claim(job):
        return "not claimed"
    with supervising(job_id):
        return _run_to_the_end(job)


def _run_to_the_end(job: TrainingJob) -> str:
    job_id = job.pk
    job.refresh_from_db()
    # A job never has two engines: one left by a dead supervisor is stopped first.
    stop_job_engine(job)
    adapter = adapter_for(job.platform)
    while True:
        TrainingJob.objects.filter(pk=job_id).update(attempts=job.attempts + 1)
        job.attempts += 1
        handle = handle_for(job)
        run = adapter.start_engine(handle)
        record_engine(job_id, run.pgid)
        outcome = _watch(run, handle, _deadline(job, handle.max_runtime_seconds))
        if outcome == "exited" and run.stop_was_requested():
            outcome = "cancelled"
        if outcome == "exited" and run.killed_by_signal() and _may_resume(job):
            # Killed from outside (an OOM kill, a kill -9): resume from the checkpoint.
            forget_engine(job_id, run.pgid)
            continue
        break
    _finish(job, run, outcome)
    forget_engine(job_id, run.pgid)
    return outcome


def _may_resume(job: TrainingJob) -> bool:
    status = TrainingJob.objects.filter(pk=job.pk).values_list("status", flat=True).first()
    return status == JobStatus.RUNNING and job.attempts <= settings.JOB_MAX_RESUMES


def _claim(job: TrainingJob) -> bool:
    me = {"supervisor_host": this_host(), "supervisor_pid": os.getpid()}
    if job.status == JobStatus.LAUNCHING:
        return state.transition(job.pk, JobStatus.RUNNING, **me)
    if job.status != JobStatus.RUNNING:
        return False
    running = TrainingJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING)
    now = timezone.now()
    # Released by the reconciler: exactly one claimant sets the heartbeat again.
    if running.filter(heartbeat_at__isnull=True).update(heartbeat_at=now, **me):
        return True
    # Its supervisor died on this host (the worker was killed and Celery handed the
    # message back): take over now rather than after the heartbeat times out.
    if supervisor_is_gone(job):
        previous = Q(supervisor_pid=job.supervisor_pid, supervisor_host=job.supervisor_host)
        return bool(running.filter(previous).update(heartbeat_at=now, **me))
    return False


def _deadline(job: TrainingJob, max_runtime_seconds: int | None) -> float | None:
    """The plan's runtime limit as a monotonic deadline, counted from the run's first
    start (a resumed run does not get its time again)."""
    if not max_runtime_seconds:
        return None
    started = TrainingJob.objects.filter(pk=job.pk).values_list("started_at", flat=True).first()
    used = (timezone.now() - started).total_seconds() if started else 0.0
    return time.monotonic() + max_runtime_seconds - max(used, 0.0)


def _watch(run, handle, deadline: float | None) -> str:
    """Store metric lines until the engine exits; returns "exited", "cancelled" or "timeout"."""
    last_heartbeat = last_status = time.monotonic()
    while run.exit_code() is None:
        record_metrics(job_id=handle.id, points=run.tail.read_new())
        now = time.monotonic()
        if now - last_status >= STATUS_INTERVAL:
            last_status = now
            status = TrainingJob.objects.filter(pk=handle.id).values_list("status", flat=True)
            if status.first() != JobStatus.RUNNING:
                run.stop()
                return "cancelled"
            if deadline is not None and now > deadline:
                run.stop()
                return "timeout"
        if now - last_heartbeat >= HEARTBEAT_EVERY:
            TrainingJob.objects.filter(pk=handle.id).update(heartbeat_at=timezone.now())
            last_heartbeat = now
        time.sleep(TAIL_INTERVAL)
    return "exited"


def runtime_limit_reason(max_runtime_seconds: int | None) -> str:
    hours = (max_runtime_seconds or 0) / 3600
    return f"Stopped at the plan's maximum runtime ({hours:g} h)."


def _finish(job: TrainingJob, run, outcome: str) -> None:
    result = run.outcome()
    record_metrics(job_id=job.pk, points=result.metrics)
    keep_outputs(job, run.out)
    if outcome == "cancelled":
        return  # the status was already set by whoever cancelled
    if outcome == "timeout":
        mark_failed(job.pk, runtime_limit_reason(handle_for(job).max_runtime_seconds))
    elif result.state == "succeeded":
        mark_succeeded(job.pk)
    else:
        mark_failed(job.pk, result.failure_reason)
