"""Cancelling a run, the same way on every platform: stop it where it runs, then record
the cancellation and its audit row in one transaction.

Where the platform's API cannot stop a run (Kaggle: CancelKernelSession needs a session id
no public call returns) it goes on there until its session limit: the user is told so,
and only with `confirm` does the hub stop following it.
"""

from datetime import timedelta

from django.db import transaction

from accounts import audit
from accounts.services import use_credential
from asthub_site.errors import Conflict
from jobs import state
from jobs.models import JobStatus, TrainingJob
from jobs.platforms import adapter_for
from jobs.platforms.base import PlatformBusy, PlatformUnavailable
from jobs.runs.handles import handle_for

CANCELLED_REASON = "Cancelled by the user."


def _cannot_stop_message(job: TrainingJob) -> str:
    state = job.platform_state or {}
    where = state.get("url") or f"your {job.get_platform_display()} account"
    return (
        f"{job.get_platform_display()}'s API cannot stop a running kernel (its cancel call "
        f"needs a session id that Kaggle does not give out); job {job.pk} keeps running and "
        f"using your GPU quota until it ends{_at_the_latest(job)} — stop it sooner at "
        f"{where}. Cancel again with confirm=true to stop following it here."
    )


def _at_the_latest(job: TrainingJob) -> str:
    """When the platform ends the run itself: its session limit, counted from launch."""
    seconds = (job.platform_state or {}).get("session_timeout_seconds")
    started = job.started_at or job.created_at
    if not seconds or started is None:
        return ""
    until = started + timedelta(seconds=int(seconds))
    return (
        f", at the latest {until:%Y-%m-%d %H:%M} UTC (its session limit: the plan's runtime limit)"
    )


def cancel_run(*, user, job: TrainingJob, confirm: bool) -> bool:
    """Stop `job` (already checked to be the user's and not ended); returns whether this
    call cancelled it."""
    adapter = adapter_for(job.platform)
    launched = job.status != JobStatus.QUEUED
    if launched and not adapter.can_cancel and not confirm:
        raise Conflict(_cannot_stop_message(job))
    if launched and adapter.can_cancel:
        # Stopped where it runs first: if the platform refuses, the user hears so and the
        # job stays as it is, rather than showing "cancelled" while it runs and bills.
        credential = (
            use_credential(user=user, provider=adapter.needs_credential)
            if adapter.needs_credential
            else None
        )
        try:
            adapter.cancel(handle_for(job), credential)
        except PlatformBusy as busy:
            raise PlatformUnavailable(f"{busy} The run was not cancelled; try again.") from None
    stopped_there = adapter.can_cancel or not launched
    reason = CANCELLED_REASON
    if not stopped_there:
        reason = (
            "No longer followed here at the user's request; the run may still be going "
            f"on {job.get_platform_display()}{_at_the_latest(job)}."
        )
    with transaction.atomic(durable=True):
        moved = state.transition(job.pk, JobStatus.CANCELLED, failure_reason=reason)
        if moved:
            audit.record(
                user=user,
                actor=user,
                action="job.cancelled",
                target=job,
                detail={"platform_stopped": stopped_there},
            )
    return moved
