"""How a run ends, the same for every platform: its outputs are kept (summary on the job,
files in the artifact store), it is marked succeeded or failed, and if the user asked
for `auto_upload_hf` the model is published to the Hub."""

import tempfile
from pathlib import Path

from django.db import transaction

from billing.quotas import refund_monthly_job
from jobs import state
from jobs.artifacts import store_artifacts
from jobs.models import JobStatus, TrainingJob
from jobs.publishing.services import publish_after_success
from jobs.runs.handles import handle_for
from jobs.training.contract import read_summary


def keep_outputs(job: TrainingJob, out: Path) -> None:
    """Store the run's summary and files. Safe to repeat (same artifact keys)."""
    summary = read_summary(out)
    if summary is not None:
        TrainingJob.objects.filter(pk=job.pk).update(summary=summary)
    store_artifacts(job, out)


def mark_succeeded(job_id: int) -> bool:
    """Move the job to succeeded; the first caller to do so starts the auto-upload."""
    moved = state.transition(job_id, JobStatus.SUCCEEDED)
    if moved:
        job = TrainingJob.objects.select_related("owner").get(pk=job_id)
        if job.auto_upload_hf and job.hf_repo:
            transaction.on_commit(lambda: publish_after_success(job=job))
    return moved


def finish_succeeded(job: TrainingJob, adapter, credential) -> bool:
    """A run its platform reports succeeded: outputs first (if copying them fails with
    PlatformBusy the job stays running and is asked again later, so a run never succeeds
    without its files), then the status."""
    with tempfile.TemporaryDirectory(prefix=f"asthub-job-{job.pk}-") as folder:
        out = adapter.fetch_artifacts(handle_for(job), credential, Path(folder))
        keep_outputs(job, out)
    return mark_succeeded(job.pk)


def mark_failed(job_id: int, reason: str) -> bool:
    return state.transition(job_id, JobStatus.FAILED, failure_reason=reason)


def fail_before_platform(job: TrainingJob, reason: str) -> bool:
    """The run never reached the platform: fail it and give the month's count back."""
    moved = mark_failed(job.pk, reason)
    if moved:
        refund_monthly_job(user_id=job.owner_id, period_start=job.slot_period)
    return moved
