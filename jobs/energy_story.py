"""A run's energy saving as its job page states it: one figure, and where it came from.

The figure is the one definition in ``jobs.reporting.compare`` (1 - AST training energy /
plain training's). With a paired baseline run that finished, plain training's energy is
that run's own measurement; otherwise it is the engine's estimate, and a run too short
for the engine to price says so instead of printing a number.
"""

from dataclasses import dataclass

from jobs.models import JobStatus, TrainingJob
from jobs.reporting.compare import TOO_SHORT, compare_runs
from jobs.run_records import price_settings, run_record


@dataclass(frozen=True)
class EnergySaved:
    fraction: float | None  # None: nothing to show (see ``basis``)
    basis: str  # what the figure was measured against, as the page labels it
    energy_source: str  # "measured" (hardware counters) or "estimated" (time x power)


def energy_saved(job: TrainingJob, progress: dict | None) -> EnergySaved | None:
    """The saving a job page shows, or None before the first epoch ends."""
    if progress is None:
        return None
    source = progress.get("energy_source") or "estimated"
    if job.is_baseline:
        ast_run = TrainingJob.objects.filter(paired_with=job).values_list("pk", flat=True).first()
        paired = f" of run #{ast_run}" if ast_run else ""
        return EnergySaved(None, f"this run is the plain-training baseline{paired}", source)
    baseline = job.paired_with
    if baseline is not None and baseline.status == job.status == JobStatus.SUCCEEDED:
        try:
            comparison = compare_runs(run_record(job), run_record(baseline), price_settings())
        except ValueError:
            comparison = None
        if comparison is not None:
            return EnergySaved(comparison.energy_savings, comparison.energy_basis, source)
    claim = progress.get("energy_savings")
    if claim is None:
        return EnergySaved(None, TOO_SHORT, source)
    basis = "engine estimate"
    if baseline is not None and baseline.status != JobStatus.SUCCEEDED:
        basis += f" until baseline run #{baseline.pk} succeeds"
    elif baseline is not None:
        # Only a run that succeeded is measured against its baseline's whole run.
        basis += " until this run succeeds" if not job.is_terminal else f" (this run {job.status})"
    return EnergySaved(float(claim), basis, source)
