"""How a run is doing, flat: what monitor_training answers and `asthub watch` prints."""

from typing import Any

from jobs.figures import progress_figures
from jobs.models import TERMINAL_STATUSES, TrainingJob

# The latest epoch's figures that a progress answer carries (a subset of the stored ones).
PROGRESS_FIELDS = (
    "epoch",
    "val_accuracy",
    "train_loss",
    "activation_rate",
    "threshold",
    "compute_savings",
    "energy_savings",
    "energy_kwh",
    "train_energy_kwh",
    "energy_source",
    "energy_saved",
    "energy_saved_basis",
    "cost_usd",
    "cost_saved_usd",
    "cost_basis",
    "eta_minutes",
    "updated_at",
)


# The job's columns a progress answer reads: a wide row's config, summary and platform
# state stay in the database (monitor_training is the hub's hottest read).
READS = ("owner", "status", "failure_reason", "epochs", "figures")


def present_progress(job: TrainingJob) -> dict[str, Any]:
    figures = progress_figures(job) or {}
    return {
        "job_id": job.pk,
        "status": job.status,
        "failure_reason": job.failure_reason,
        "epochs": job.epochs,
        "finished": job.status in TERMINAL_STATUSES,
        **{name: figures.get(name) for name in PROGRESS_FIELDS},
        "epoch": figures.get("epoch") or 0,
        "cost_basis": figures.get("cost_basis") or "",
    }
