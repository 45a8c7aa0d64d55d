"""Celery tasks. They take ids, are safe to run twice, and stay thin: the state machine
and services decide; tasks drive platforms and report back."""

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.services import use_credential
from asthub_site.errors import HubError
from billing.quotas import refund_monthly_job
from jobs import state
from jobs.completion import keep_outputs, mark_succeeded
from jobs.models import JobStatus, TrainingJob
from jobs.platforms import adapter_for
from jobs.platforms.base import PlatformBusy
from jobs.platforms.local import LocalRun
from jobs.polling import backoff_seconds, poll_due_jobs
from jobs.queueing import owners_with_waiting_jobs, start_waiting_jobs
from jobs.services import handle_for, record_metric
from jobs.training import build_script

logger = logging.getLogger(__name__)

SUPERVISE_INTERVAL = 0.5
HEARTBEAT_EVERY = 10.0


LAUNCH_MAX_RETRIES = 5


def _may_launch(job: TrainingJob, is_retry: bool) -> bool:
    """First delivery: take the job from queued. A retry after a busy platform finds it
    launching with no platform id yet, and goes on with it."""
    if state.transition(job.pk, JobStatus.LAUNCHING):
        return True
    return is_retry and job.status == JobStatus.LAUNCHING and not job.external_id


@shared_task(bind=True, acks_late=True, max_retries=LAUNCH_MAX_RETRIES)
def launch_job(self, job_id: int) -> None:
    job = TrainingJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or not _may_launch(job, is_retry=self.request.retries > 0):
        return  # gone, cancelled, or already launched by an earlier delivery
    adapter = adapter_for(job.platform)
    try:
        credential = (
            use_credential(user=job.owner, provider=adapter.needs_credential)
            if adapter.needs_credential
            else None
        )
        launched = adapter.launch(handle_for(job), credential)
    except HubError as error:
        _fail_before_platform(job, error.message)
        return
    except (PlatformBusy, ConnectionError, TimeoutError) as busy:
        if self.request.retries >= LAUNCH_MAX_RETRIES:
            _fail_before_platform(job, f"The platform stayed unavailable at launch: {busy}")
            return
        retry_after = getattr(busy, "retry_after", None)
        raise self.retry(countdown=backoff_seconds(self.request.retries, retry_after)) from busy
    now = timezone.now()
    TrainingJob.objects.filter(pk=job_id).update(
        external_id=launched.external_id,
        platform_state=launched.platform_state,
        launched_at=now,
        next_poll_at=now if adapter.is_remote else None,
    )
    if adapter.is_remote:
        # A remote run is running as far as the hub is concerned once the platform took
        # it; the poller reports its progress from here on.
        state.transition(job_id, JobStatus.RUNNING)


def _fail_before_platform(job: TrainingJob, reason: str) -> None:
    """The run never reached the platform: fail it and give the month's count back."""
    if state.transition(job.pk, JobStatus.FAILED, failure_reason=reason):
        refund_monthly_job(user_id=job.owner_id, period_start=job.slot_period)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_local_job(job_id: int) -> None:
    """Run and supervise one local engine process until it ends, is cancelled or times out.

    Exactly one supervisor runs a job: the one whose transition to "running" succeeded,
    or, for a run the reconciler released (heartbeat cleared after its worker died), the
    one that claims it. A resumed run continues from the engine's last epoch checkpoint
    in the same folder, and metric rows are idempotent.
    """
    job = TrainingJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or not _claim(job):
        return
    TrainingJob.objects.filter(pk=job_id).update(attempts=job.attempts + 1)
    handle = handle_for(job)
    run = LocalRun(handle, build_script(job.config))
    run.start()
    outcome = _supervise(run, handle)
    _finish_local(job, run, outcome)


def _claim(job: TrainingJob) -> bool:
    if job.status == JobStatus.LAUNCHING:
        return state.transition(job.pk, JobStatus.RUNNING)
    if job.status == JobStatus.RUNNING:
        released = TrainingJob.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, heartbeat_at__isnull=True
        )
        return bool(released.update(heartbeat_at=timezone.now()))
    return False


def _supervise(run: LocalRun, handle) -> str:
    """Tail metrics until the process exits; returns "exited", "cancelled" or "timeout"."""
    last_heartbeat = 0.0
    while run.exit_code() is None:
        for point in run.tail.read_new():
            record_metric(job_id=handle.id, point=point)
        status = TrainingJob.objects.filter(pk=handle.id).values_list("status", flat=True)[0]
        if status != JobStatus.RUNNING:
            run.stop()
            return "cancelled"
        if handle.max_runtime_seconds and run.elapsed > handle.max_runtime_seconds:
            run.stop()
            return "timeout"
        if time.monotonic() - last_heartbeat > HEARTBEAT_EVERY:
            TrainingJob.objects.filter(pk=handle.id).update(heartbeat_at=timezone.now())
            last_heartbeat = time.monotonic()
        time.sleep(SUPERVISE_INTERVAL)
    return "exited"


def _finish_local(job: TrainingJob, run: LocalRun, outcome: str) -> None:
    result = run.outcome()
    for point in result.metrics:
        record_metric(job_id=job.pk, point=point)
    keep_outputs(job, run.out)
    if outcome == "cancelled":
        return  # the status was already set by whoever cancelled
    if outcome == "timeout":
        hours = (handle_for(job).max_runtime_seconds or 0) / 3600
        state.transition(
            job.pk,
            JobStatus.FAILED,
            failure_reason=f"Stopped at the plan's maximum runtime ({hours:g} h).",
        )
        return
    if result.state == "succeeded":
        mark_succeeded(job.pk)
    else:
        state.transition(job.pk, JobStatus.FAILED, failure_reason=result.failure_reason)


@shared_task
def poll_remote_jobs() -> dict:
    """Beat: ask Kaggle and HF Jobs about every running run that is due a poll."""
    return poll_due_jobs()


@shared_task
def reconcile_jobs() -> dict:
    """No job stays "running" forever: resume or fail runs whose supervisor vanished,
    and re-send launches that were lost between the web process and the broker."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT_SECONDS)
    resumed = failed = relaunched = 0
    orphans = TrainingJob.objects.filter(
        platform="local", status=JobStatus.RUNNING, heartbeat_at__lt=stale
    )
    for job in orphans:
        if job.attempts > settings.JOB_MAX_RESUMES:
            state.transition(
                job.pk,
                JobStatus.FAILED,
                failure_reason=(
                    f"The worker running this job stopped {job.attempts} times; giving up."
                ),
            )
            failed += 1
            continue
        # Release it (heartbeat cleared) for exactly one new supervisor to claim; the
        # conditional update keeps two reconcilers from both resuming it.
        if TrainingJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
            heartbeat_at=None, launched_at=now
        ):
            adapter_for(job.platform).launch(handle_for(job), None)
            resumed += 1
    for owner_id in owners_with_waiting_jobs():
        start_waiting_jobs(user_id=owner_id)
    lost = TrainingJob.objects.filter(
        status=JobStatus.QUEUED, holds_slot=True, created_at__lt=now - timedelta(minutes=2)
    )
    for job in lost:
        launch_job.delay(job.pk)
        relaunched += 1
    # Handed to the training queue (first launch or a resume) but never picked up.
    unclaimed_since = now - timedelta(hours=6)
    stuck = TrainingJob.objects.filter(platform="local").filter(
        Q(status=JobStatus.LAUNCHING, created_at__lt=unclaimed_since)
        | Q(status=JobStatus.RUNNING, heartbeat_at__isnull=True, launched_at__lt=unclaimed_since)
    )
    for job in stuck:
        state.transition(
            job.pk, JobStatus.FAILED, failure_reason="No training worker picked this job up."
        )
        failed += 1
    # A remote launch whose worker died between "launching" and the platform's answer.
    unfinished_launches = TrainingJob.objects.exclude(platform="local").filter(
        status=JobStatus.LAUNCHING, external_id="", created_at__lt=now - timedelta(hours=1)
    )
    for job in unfinished_launches:
        _fail_before_platform(
            job,
            "The launch on the platform did not complete within an hour; check the platform "
            "for a stray run, then start the job again.",
        )
        failed += 1
    return {"resumed": resumed, "failed": failed, "relaunched": relaunched}


PUBLISH_MAX_RETRIES = 8


@shared_task(bind=True, acks_late=True, max_retries=PUBLISH_MAX_RETRIES)
def publish_model(self, publication_id: int) -> None:
    """Copy one model to its target; retried with backoff while the platform is busy."""
    from jobs.publishing.services import (
        claim_publication,
        fail_publication,
        perform_publication,
    )

    publication = claim_publication(publication_id)
    if publication is None:
        return
    try:
        perform_publication(publication)
    except PlatformBusy as busy:
        if self.request.retries >= PUBLISH_MAX_RETRIES:
            fail_publication(publication_id, f"The platform stayed unavailable: {busy}")
            return
        raise self.retry(
            countdown=backoff_seconds(self.request.retries, busy.retry_after)
        ) from busy
    except HubError as error:
        fail_publication(publication_id, error.message)
    except Exception as error:
        logger.exception("publication %s failed", publication_id)
        fail_publication(
            publication_id, f"Publishing failed unexpectedly ({type(error).__name__}); retry."
        )


@shared_task(bind=True, acks_late=True, max_retries=None)
def watch_submission(self, submission_id: int) -> None:
    """Follow a competition submission until Kaggle has scored it (or given up)."""
    from jobs.competitions import check_submission

    wait = check_submission(submission_id=submission_id)
    if wait is not None:
        raise self.retry(countdown=wait)
