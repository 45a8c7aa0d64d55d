"""monitor_training: one answer to "how is my run doing?" for every surface (REST, portal,
MCP, CLI): status, progress, cost so far and what AST has saved so far."""

from typing import Any

from jobs.reporting.compare import compare_runs
from jobs.reports import cost_so_far, price_settings, run_record
from jobs.selectors import job_for, metric_points, progress_of


def cost_saved_so_far(job) -> float | None:
    """What plain training of the same epochs would have cost, minus this run's cost,
    with the baseline estimated from this run's own counts (comparable at any epoch)."""
    if job.is_baseline:
        return None
    record = run_record(job)
    if not record.metrics:
        return None
    try:
        return compare_runs(record, None, price_settings()).cost_savings_usd
    except ValueError:
        return None


def progress_with_costs(job) -> dict[str, Any] | None:
    progress = progress_of(job)
    if progress is None:
        return None
    cost = cost_so_far(job)
    return progress | {
        "cost_usd": cost.usd if cost else None,
        "cost_saved_usd": cost_saved_so_far(job),
        "cost_basis": cost.basis if cost else "",
    }


def monitor_training(*, user, job_id: int, include_history: bool = True) -> dict[str, Any]:
    job = job_for(user, job_id)
    progress = progress_with_costs(job) or {}
    answer = {
        "job_id": job.pk,
        "status": job.status,
        "failure_reason": job.failure_reason,
        "epoch": progress.get("epoch", 0),
        "epochs": job.epochs,
        "accuracy": progress.get("val_accuracy"),
        "activation_rate": progress.get("activation_rate"),
        "compute_savings": progress.get("compute_savings"),
        "energy_savings": progress.get("energy_savings"),
        "cost_usd": progress.get("cost_usd"),
        "cost_saved_usd": progress.get("cost_saved_usd"),
        "eta_minutes": progress.get("eta_minutes"),
        "last_update": progress.get("updated_at"),
    }
    if include_history:
        answer["history"] = metric_points(job)
    return answer
