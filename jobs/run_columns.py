"""A run's figures as the compare and sweep pages show them, side by side with others.

Every number comes from the run's stored figures (jobs.figures), so any number of runs is
the one query that loads them. Numbers stay numbers here: the templates print energy,
money and savings with the shared unit filters (jobs.templatetags.units).
"""

from datetime import timedelta
from typing import Any

from jobs.figures import progress_figures
from jobs.models import TrainingJob


def run_label(job: TrainingJob) -> str:
    return f"#{job.pk} {job.name}" if job.name else f"#{job.pk}"


def chart_run(job: TrainingJob) -> dict[str, Any]:
    """What the charts script needs to fetch and draw one run's curves."""
    return {
        "job_id": job.pk,
        "label": run_label(job),
        "is_baseline": job.is_baseline,
        "terminal": job.is_terminal,
    }


def figures_of(job: TrainingJob) -> dict[str, Any]:
    """The run's latest stored figures, {} before its first epoch ends."""
    return progress_figures(job) or {}


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def accuracy_of(job: TrainingJob) -> float | None:
    return _number(figures_of(job).get("val_accuracy"))


def kwh_of(job: TrainingJob) -> float | None:
    return _number(figures_of(job).get("energy_kwh"))


def _duration(job: TrainingJob) -> timedelta | None:
    if job.started_at and job.finished_at:
        return job.finished_at - job.started_at
    return None


def run_columns(job: TrainingJob) -> dict[str, Any]:
    """The run's figures (None where one is not known yet). Energy saved is the stored
    figure every page states (jobs.energy_story), with what it was measured against."""
    fig = figures_of(job)
    return {
        "job": job,
        "label": run_label(job),
        "accuracy": _number(fig.get("val_accuracy")),
        "activation": _number(fig.get("activation_rate")),
        "kwh": _number(fig.get("energy_kwh")),
        "energy_source": fig.get("energy_source") or "",
        "compute_saved": _number(fig.get("compute_savings")),
        "cost_usd": _number(fig.get("cost_usd")),
        "cost_basis": fig.get("cost_basis") or "",
        "duration": _duration(job),
        "energy_saved": _number(fig.get("energy_saved")),
        "energy_saved_basis": fig.get("energy_saved_basis") or "",
    }
