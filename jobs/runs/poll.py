"""Polling runs the platform runs (Kaggle kernels, HF Jobs): one loop for every such adapter.

A sweep finds the running remote jobs whose `next_poll_at` is due, claims each with a
conditional UPDATE (two overlapping sweeps never poll the same job) and polls them on a
thread pool, so one slow platform answer does not hold up the others. Each poll stores
new metric points (idempotent on job and epoch), keeps the adapter's cursor, and on the
run's end copies its outputs into the artifact store before marking it finished. A 429 or
5xx (PlatformBusy) only pushes the next poll back (the platform's Retry-After, else an
exponential backoff): a job is never dropped because its platform had a bad minute.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from accounts.services import use_credential
from asthub_site.errors import HubError, MissingCredential
from jobs.models import JobStatus, TrainingJob
from jobs.platforms import adapter_for
from jobs.platforms.base import PlatformBusy, PollResult
from jobs.runs.backoff import backoff_seconds
from jobs.runs.finish import finish_succeeded, mark_failed
from jobs.runs.handles import handle_for
from jobs.runs.metrics import record_metrics

log = logging.getLogger(__name__)

# A claimed poll that never reported back (its worker died) is due again after this.
CLAIM_LEASE = timedelta(minutes=5)
MAX_SWEEP = 5000


def due_job_ids(now=None, limit: int = MAX_SWEEP) -> list[int]:
    """Running jobs whose next poll is due. Only polled runs have a `next_poll_at` (set at
    launch when the platform said it runs them; a supervised local run has none)."""
    now = now or timezone.now()
    due = TrainingJob.objects.filter(status=JobStatus.RUNNING, next_poll_at__lte=now).order_by(
        "next_poll_at"
    )
    return list(due.values_list("pk", flat=True)[:limit])


def _claim(job_id: int, now) -> TrainingJob | None:
    claimed = TrainingJob.objects.filter(
        pk=job_id, status=JobStatus.RUNNING, next_poll_at__lte=now
    ).update(next_poll_at=now + CLAIM_LEASE)
    if not claimed:
        return None
    return TrainingJob.objects.select_related("owner").get(pk=job_id)


def _reschedule_after_error(job: TrainingJob, message: str, retry_after: float | None) -> None:
    failures = job.poll_failures + 1
    delay = backoff_seconds(failures, retry_after)
    TrainingJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        poll_failures=failures,
        last_poll_error=message[:300],
        next_poll_at=timezone.now() + timedelta(seconds=delay),
    )


def poll_job(job_id: int, now=None) -> str:
    """Poll one job once. Returns what happened: skipped, running, busy, succeeded, failed."""
    job = _claim(job_id, now or timezone.now())
    if job is None:
        return "skipped"
    adapter = adapter_for(job.platform)
    try:
        credential = use_credential(user=job.owner, provider=adapter.needs_credential)
        result = adapter.poll(handle_for(job), credential)
        record_metrics(job_id=job.pk, points=result.metrics)
        _keep_progress(job, result)
        if result.state == "succeeded":
            finish_succeeded(job, adapter, credential)
            return "succeeded"
        if result.state == "failed":
            mark_failed(job.pk, result.failure_reason)
            return "failed"
        return "running"
    except PlatformBusy as busy:
        _reschedule_after_error(job, str(busy), busy.retry_after)
        return "busy"
    except MissingCredential as error:
        mark_failed(
            job.pk,
            f"{error.message} The hub can no longer follow this run; it may still be "
            "running on the platform.",
        )
        return "failed"
    except HubError as error:
        # The platform refused us (e.g. the credential was revoked): keep trying slowly
        # and show why on the job, rather than failing a run that may be fine.
        _reschedule_after_error(job, error.message, None)
        return "busy"
    except Exception as error:  # network errors, timeouts, malformed answers
        log.exception("polling job %s failed", job.pk)
        _reschedule_after_error(job, f"{type(error).__name__}: {error}", None)
        return "busy"


def _keep_progress(job: TrainingJob, result: PollResult) -> None:
    fields = {
        "poll_failures": 0,
        "last_poll_error": "",
        "heartbeat_at": timezone.now(),
        "next_poll_at": timezone.now() + timedelta(seconds=settings.REMOTE_POLL_INTERVAL_SECONDS),
    }
    if result.platform_state is not None:
        fields["platform_state"] = result.platform_state
        job.platform_state = result.platform_state
    TrainingJob.objects.filter(pk=job.pk).update(**fields)


def _poll_in_thread(job_id: int, now) -> str:
    close_old_connections()
    try:
        return poll_job(job_id, now)
    finally:
        connections.close_all()


def poll_due_jobs(now=None) -> dict[str, int]:
    """One sweep over every due remote job; returns how many ended in each outcome."""
    now = now or timezone.now()
    ids = due_job_ids(now)
    outcomes: dict[str, int] = {"polled": len(ids)}
    if not ids:
        return outcomes
    workers = max(1, min(settings.REMOTE_POLL_CONCURRENCY, len(ids)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="poll") as pool:
        for outcome in pool.map(lambda job_id: _poll_in_thread(job_id, now), ids):
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
