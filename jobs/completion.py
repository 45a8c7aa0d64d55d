"""What happens when a run ends well, the same for every platform: its outputs are kept
(summary on the job, files in the artifact store), it is marked succeeded, and if the
user asked for `auto_upload_hf` the model is published to the Hub."""

from pathlib import Path

from django.db import transaction

from jobs import state
from jobs.artifacts import store_artifacts
from jobs.models import JobStatus, TrainingJob
from jobs.platforms.local import read_summary


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
            from jobs.publishing.services import publish_after_success

            transaction.on_commit(lambda: publish_after_success(job=job))
    return moved
