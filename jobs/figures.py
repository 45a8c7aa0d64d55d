"""A run's derived figures: its latest progress, cost so far, saving so far and ETA.

They are computed from every metric point of the run, so they are computed once, when a
point arrives or the run ends, and stored on the job (`TrainingJob.figures`). Reading a
run for REST, MCP, the portal or a share link is then the one query that loads the job,
however often it is read. A job whose stored figures are missing or of an older shape
(`FIGURES_VERSION`) has them computed and stored on its first read.
"""

from datetime import datetime
from typing import Any

from jobs.energy_story import energy_saved
from jobs.models import MetricPoint, TrainingJob
from jobs.reporting.compare import compare_runs
from jobs.reporting.pricing import run_cost
from jobs.run_records import price_settings, run_record

# Bump when the stored shape changes: stored figures of another version are recomputed.
FIGURES_VERSION = 2


def _latest_progress(job: TrainingJob, latest: dict, recorded_at: datetime) -> dict[str, Any]:
    eta = latest.get("eta_seconds")
    return {
        "epoch": latest.get("epoch"),
        "epochs": latest.get("epochs", job.epochs),
        "val_accuracy": latest.get("val_accuracy"),
        "train_loss": latest.get("train_loss"),
        "activation_rate": latest.get("activation_rate"),
        "threshold": latest.get("threshold"),
        "compute_savings": latest.get("compute_savings"),
        "energy_savings": latest.get("energy_savings"),
        "energy_kwh": latest.get("energy_kwh"),
        "energy_source": latest.get("energy_source"),
        "eta_minutes": round(eta / 60, 2) if isinstance(eta, int | float) else None,
        "updated_at": recorded_at.isoformat(),
    }


def _costs(job: TrainingJob) -> dict[str, Any]:
    """Cost so far, and what plain training of the same epochs would have cost minus it
    (the baseline estimated from this run's own counts, so comparable at any epoch)."""
    record = run_record(job)
    prices = price_settings()
    try:
        cost = run_cost(record, prices)
    except ValueError:  # no wall time yet
        cost = None
    saved = None
    if not job.is_baseline:
        try:
            saved = compare_runs(record, None, prices).cost_savings_usd
        except ValueError:
            saved = None
    return {
        "cost_usd": cost.usd if cost else None,
        "cost_saved_usd": saved,
        "cost_basis": cost.basis if cost else "",
    }


def compute_figures(job: TrainingJob) -> dict[str, Any]:
    latest = MetricPoint.objects.filter(job=job).order_by("-epoch").first()
    progress = None
    if latest is not None:
        progress = _latest_progress(job, latest.data, latest.recorded_at) | _costs(job)
        # The training share of the energy (what "energy saved" compares) is in the
        # summary, written when the run ends.
        summary = job.summary if isinstance(job.summary, dict) else {}
        progress["train_energy_kwh"] = summary.get("train_energy_kwh")
        # The saving as the job page states it (against the paired baseline once both
        # finished, else the engine's estimate), so a table of runs shows the same figure.
        saved = energy_saved(job, progress)
        progress["energy_saved"] = saved.fraction if saved else None
        progress["energy_saved_basis"] = saved.basis if saved else ""
    return {"version": FIGURES_VERSION, "progress": progress}


def refresh_figures(job_id: int) -> None:
    """Recompute and store a run's figures (after a new point, or when it ends)."""
    job = TrainingJob.objects.filter(pk=job_id).first()
    if job is not None:
        TrainingJob.objects.filter(pk=job_id).update(figures=compute_figures(job))
        if job.is_baseline:
            # Its AST runs' savings are measured against it once it has finished.
            for paired in TrainingJob.objects.filter(paired_with=job):
                TrainingJob.objects.filter(pk=paired.pk).update(figures=compute_figures(paired))


def _stored(job: TrainingJob) -> dict[str, Any]:
    figures = job.figures
    if not isinstance(figures, dict) or figures.get("version") != FIGURES_VERSION:
        # The whole row: the caller may have read only a few columns (jobs.selectors).
        figures = compute_figures(TrainingJob.objects.get(pk=job.pk))
        TrainingJob.objects.filter(pk=job.pk).update(figures=figures)
        job.figures = figures
    return figures


def progress_figures(job: TrainingJob) -> dict[str, Any] | None:
    """The latest epoch's figures with the costs so far, or None before the first epoch
    ends. `updated_at` is a datetime, as every other time a presenter hands out."""
    progress = _stored(job)["progress"]
    if progress is None:
        return None
    return progress | {"updated_at": datetime.fromisoformat(progress["updated_at"])}
