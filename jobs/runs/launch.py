"""Launching a run: take it from queued, hand it to its platform, keep what it answered."""

from django.utils import timezone

from accounts.services import use_credential
from asthub_site.errors import HubError
from jobs import state
from jobs.models import JobStatus, TrainingJob
from jobs.platforms import adapter_for
from jobs.platforms.base import PlatformBusy
from jobs.runs.backoff import backoff_seconds
from jobs.runs.finish import fail_before_platform
from jobs.runs.handles import handle_for


class TryLater(Exception):
    """The platform is busy: ask again after `seconds` (the task retries)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"try again in {seconds:g} s")
        self.seconds = seconds


def _may_launch(job: TrainingJob, is_retry: bool) -> bool:
    """First delivery: take the job from queued. A retry after a busy platform finds it
    launching with no platform id yet, and goes on with it."""
    if state.transition(job.pk, JobStatus.LAUNCHING):
        return True
    return is_retry and job.status == JobStatus.LAUNCHING and not job.external_id


def launch_run(job_id: int, *, retries: int, max_retries: int) -> None:
    """Hand the job to its platform once. Raises TryLater while the platform is busy and
    tries are left; fails the job (refunding the month's count) when none are."""
    job = TrainingJob.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or not _may_launch(job, is_retry=retries > 0):
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
        fail_before_platform(job, error.message)
        return
    except (PlatformBusy, ConnectionError, TimeoutError) as busy:
        if retries >= max_retries:
            fail_before_platform(job, f"The platform stayed unavailable at launch: {busy}")
            return
        raise TryLater(backoff_seconds(retries, getattr(busy, "retry_after", None))) from busy
    now = timezone.now()
    TrainingJob.objects.filter(pk=job_id).update(
        external_id=launched.external_id,
        platform_state=launched.platform_state,
        launched_at=now,
        next_poll_at=now if launched.polled else None,
    )
    if launched.polled:
        # Running as far as the hub is concerned once the platform took it; the poller
        # reports its progress from here on. A supervised run is moved to running by the
        # worker that starts its engine.
        state.transition(job_id, JobStatus.RUNNING)
