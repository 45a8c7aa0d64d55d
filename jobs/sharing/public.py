"""What a share link shows: per job, its status and per-epoch training figures. An
allow-list, so nothing added to a job or a metric line later leaks by default (no owner,
no config, no credentials, no failure text, no local paths)."""

import re
from typing import Any

from jobs.figures import progress_figures
from jobs.presenters.old_names import with_old_names
from jobs.selectors import metric_points
from jobs.sharing.selectors import active_share, jobs_of

POINT_KEYS = (
    "epoch",
    "epochs",
    "train_loss",
    "val_accuracy",
    "activation_rate",
    "threshold",
    "compute_savings",
    "energy_savings",
    "energy_kwh",
    "energy_source",
    "wall_seconds",
    "eta_seconds",
    "phase",
)
PROGRESS_KEYS = (
    "epoch",
    "epochs",
    "val_accuracy",
    "activation_rate",
    "compute_savings",
    "energy_savings",
    "energy_kwh",
    "energy_source",
    "energy_saved",
    "eta_minutes",
    "cost_usd",
    "cost_saved_usd",
)
# Data sets given as a path on the hub's disk show only their file name.
PATH_DATASETS = ("npz:", "csv:", "imagefolder:")


def public_dataset_name(dataset: str) -> str:
    for prefix in PATH_DATASETS:
        if dataset.startswith(prefix):
            name = dataset[len(prefix) :].rstrip("/").replace("\\", "/").rsplit("/", 1)[-1]
            return prefix + name
    return dataset


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _public_basis(basis: str) -> str:
    """The saving's basis without the other run's id (it may not be shared)."""
    basis = re.sub(r"baseline run #\d+", "its baseline run", basis or "")
    return re.sub(r" of run #\d+", " of an AST run", basis)


def _pair_id(job, shared_ids: frozenset[int]) -> int | None:
    """The run paired with this one, named only when the same link shares it too."""
    if job.paired_with_id in shared_ids:
        return job.paired_with_id
    return next((pk for pk in shared_ids if pk in _ast_runs_of(job)), None)


def _ast_runs_of(job) -> set[int]:
    if not job.is_baseline:
        return set()
    return set(job.paired_runs.values_list("pk", flat=True))


def public_job(job, shared_ids: frozenset[int] = frozenset()) -> dict[str, Any]:
    progress = progress_figures(job) or {}
    shared = {
        "job_id": job.pk,
        "name": job.name,
        "status": job.status,
        "platform": job.platform,
        "hardware": job.hardware,
        "dataset": public_dataset_name(job.dataset),
        "model": job.model,
        "epochs": job.epochs,
        "is_baseline": job.is_baseline,
        "target_activation_rate": (
            None if job.is_baseline else job.ast_config.get("target_activation_rate")
        ),
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
        "paired_job_id": _pair_id(job, shared_ids),
        "progress": (
            {key: progress.get(key) for key in PROGRESS_KEYS}
            | {"energy_saved_basis": _public_basis(progress.get("energy_saved_basis", ""))}
            if progress
            else None
        ),
        "points": [
            {key: point.get(key) for key in POINT_KEYS if key in point}
            for point in metric_points(job)
        ],
    }
    return with_old_names(shared, {"id": "job_id"})


def shared_view(share) -> dict[str, Any]:
    """The public answer for an active share link: its label and its jobs."""
    jobs = list(jobs_of(share))
    shared_ids = frozenset(job.pk for job in jobs)
    return {
        "label": share.label,
        "created_at": _iso(share.created_at),
        "jobs": [public_job(job, shared_ids) for job in jobs],
    }


def shared_view_for(raw: str) -> dict[str, Any]:
    return shared_view(active_share(raw))
