"""A run's figures as the compare and sweep pages show them, side by side with others.

Every number comes from the run's stored figures (jobs.figures), so any number of runs is
the one query that loads them. Numbers stay numbers here: the templates print energy,
money and savings with the shared unit filters (jobs.templatetags.units).
"""

from datetime import timedelta
from typing import Any

from jobs.figures import progress_figures
from jobs.models import JobStatus, TrainingJob


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


def _training_kwh_pair(job: TrainingJob, baseline: TrainingJob) -> tuple[float | None, ...]:
    """Both runs' training energy, or both totals where either lacks the split: the saving
    compares like with like (jobs.reporting.compare defines it on training energy)."""
    run_fig, base_fig = figures_of(job), figures_of(baseline)
    trained = _number(run_fig.get("train_energy_kwh")), _number(base_fig.get("train_energy_kwh"))
    if None not in trained:
        return trained
    return kwh_of(job), kwh_of(baseline)


def saving_against_baseline(job: TrainingJob) -> tuple[float | None, str]:
    """(1 - this run's training energy / its paired baseline's, why not when None).

    Only two finished runs are compared: a run half-way through has used part of its
    energy, and against a whole baseline that would read as a saving it has not made.
    """
    baseline = job.paired_with if job.paired_with_id else None
    if baseline is None:
        return None, "no paired baseline"
    if not (job.status == baseline.status == JobStatus.SUCCEEDED):
        return None, f"shown when this run and baseline #{baseline.pk} have both succeeded"
    used, base = _training_kwh_pair(job, baseline)
    if used is None or not base:
        return None, f"no energy reading for this run or baseline #{baseline.pk}"
    return 1.0 - used / base, ""


def run_columns(job: TrainingJob) -> dict[str, Any]:
    """The run's figures (None where one is not known yet) and why a saving is missing."""
    fig = figures_of(job)
    saving, why_not = saving_against_baseline(job)
    return {
        "job": job,
        "label": run_label(job),
        "accuracy": _number(fig.get("val_accuracy")),
        "activation": _number(fig.get("activation_rate")),
        "kwh": _number(fig.get("energy_kwh")),
        "compute_saved": _number(fig.get("compute_savings")),
        "cost_usd": _number(fig.get("cost_usd")),
        "cost_basis": fig.get("cost_basis") or "",
        "duration": _duration(job),
        "energy_saved": saving,
        "energy_saved_note": why_not,
    }
