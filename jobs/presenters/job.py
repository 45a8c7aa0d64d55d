"""A training job as every surface shows it."""

from typing import Any

from jobs.figures import progress_figures
from jobs.models import JobStatus, TrainingJob
from jobs.presenters.old_names import with_old_names

OLD_REST_NAMES = {"id": "job_id", "baseline_id": "baseline_job_id"}
# Columns of the job's row that its answer does not show (the summary feeds the stored
# figures, which are): reads for display leave them in the database.
NOT_SHOWN = ("summary", "platform_state", "last_poll_error", "supervisor_host")


def waiting_for_slot(job: TrainingJob) -> bool:
    """Queued behind the plan's concurrency limit; it launches on its own when a slot
    frees up (a queued job that holds a slot is only waiting for a worker)."""
    return job.status == JobStatus.QUEUED and not job.holds_slot


def present_job(job: TrainingJob) -> dict[str, Any]:
    """The job, its settings and its latest progress (stored figures: no extra query)."""
    return {
        "job_id": job.pk,
        "name": job.name,
        "status": job.status,
        "platform": job.platform,
        "dataset": job.dataset,
        "model": job.model,
        "epochs": job.epochs,
        "batch_size": job.batch_size,
        "learning_rate": job.learning_rate,
        "seed": job.seed,
        "hardware": job.hardware,
        "ast_config": job.ast_config,
        "is_baseline": job.is_baseline,
        "baseline_job_id": job.paired_with_id,
        "sweep_id": job.sweep_id,
        "rerun_of_id": job.rerun_of_id,
        "auto_upload_hf": job.auto_upload_hf,
        "hf_repo": job.hf_repo,
        "external_id": job.external_id,
        "failure_reason": job.failure_reason,
        "waiting_for_slot": waiting_for_slot(job),
        "created_at": job.created_at,
        "launched_at": job.launched_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "engine_version": job.engine_version,
        "script_sha256": job.script_sha256,
        "config": job.config,
        "progress": progress_figures(job),
    }


def present_job_for_rest(job: TrainingJob) -> dict[str, Any]:
    return with_old_names(present_job(job), OLD_REST_NAMES)
