"""A sweep's points as its portal pages show them: ranked by accuracy per kWh, the
accuracy/energy Pareto front marked, unfinished points listed after the ranked ones.

Every figure is a point's stored figures (jobs.figures), so a sweep page is the same few
queries whatever its number of points, and the sweeps list one more for all its sweeps.
"""

import math
from collections import Counter, defaultdict
from typing import Any

from jobs.models import JobStatus, TrainingJob
from jobs.reporting.formatting import sig
from jobs.reporting.pareto import Outcome, pareto_front, rank_by_efficiency
from jobs.run_columns import accuracy_of, chart_run, figures_of, kwh_of, run_label
from jobs.sweeps import grid_value

# The wide columns a sweep row never shows stay in the database.
NOT_SHOWN = ("config", "summary", "platform_state")
# Column headings for grid keys whose own name would widen the table past the page.
SHORT_HEADINGS = {"target_activation_rate": "activation target"}


def points_of(user, sweep_ids: list[int]) -> dict[int, list[TrainingJob]]:
    """The user's runs of these sweeps, by sweep id, in the order they were made."""
    grouped: dict[int, list[TrainingJob]] = defaultdict(list)
    runs = TrainingJob.objects.for_user(user).filter(sweep_id__in=sweep_ids)
    for job in runs.defer(*NOT_SHOWN).order_by("id"):
        grouped[job.sweep_id].append(job)
    return grouped


def outcome_of(job: TrainingJob) -> Outcome | None:
    """A succeeded point's accuracy and energy. None for any other point: a run cut short
    used less energy for a lower accuracy, which would bend the front and the ranking."""
    if job.status != JobStatus.SUCCEEDED:
        return None
    accuracy, kwh = accuracy_of(job), kwh_of(job)
    if accuracy is None or kwh is None:
        return None
    return Outcome(job_id=job.pk, accuracy=accuracy, kwh=kwh)


def _outcomes(jobs: list[TrainingJob]) -> dict[int, Outcome]:
    return {o.job_id: o for o in (outcome_of(job) for job in jobs) if o is not None}


def per_kwh_text(outcome: Outcome | None) -> str:
    """Accuracy per kWh to three significant figures ("49,900", "0.312")."""
    ratio = outcome.accuracy_per_kwh if outcome else None
    if ratio is None:
        return "—"
    # sig() keeps every digit left of the point; a CPU run's ratio has five or six.
    digits = math.floor(math.log10(ratio)) + 1
    return sig(round(ratio, 3 - digits) if digits > 3 else ratio)


def sweep_overview(jobs: list[TrainingJob]) -> dict[str, Any]:
    """A line of the sweeps list: its size, its runs by status and its most efficient run."""
    counts = Counter(job.status for job in jobs)
    ranked = rank_by_efficiency(list(_outcomes(jobs).values()))
    best = ranked[0][1] if ranked else None
    return {
        "points": len(jobs),
        "status_counts": [
            (status, counts[status]) for status in JobStatus.values if counts[status]
        ],
        "best_job_id": best.job_id if best else None,
        "best_per_kwh": per_kwh_text(best),
    }


def _heading(key: str) -> str:
    return SHORT_HEADINGS.get(key, key.replace("_", " "))


def sweep_points(grid: dict[str, Any], jobs: list[TrainingJob]) -> dict[str, Any]:
    """The sweep page's rows (ranked first), its chart runs and its Pareto points."""
    grid_keys = sorted(grid)
    outcomes = _outcomes(jobs)
    front = pareto_front(list(outcomes.values()))
    rank_of = {run.job_id: rank for rank, run in rank_by_efficiency(list(outcomes.values()))}
    ordered = sorted(jobs, key=lambda job: (job.pk not in rank_of, rank_of.get(job.pk, 0)))
    rows = [
        {
            "job": job,
            "label": run_label(job),
            "params": [grid_value(job, key) for key in grid_keys],
            "rank": rank_of.get(job.pk),
            "on_front": job.pk in front,
            "accuracy": accuracy_of(job),
            "kwh": kwh_of(job),
            "compute_saved": figures_of(job).get("compute_savings"),
            "per_kwh": per_kwh_text(outcomes.get(job.pk)),
        }
        for job in ordered
    ]
    finished = [row for row in rows if row["job"].pk in outcomes]
    return {
        "grid_keys": grid_keys,
        "grid_headings": [(key, _heading(key)) for key in grid_keys],
        "rows": rows,
        "chart_runs": [chart_run(job) for job in ordered],
        "pareto": {
            "points": [
                {
                    "job_id": row["job"].pk,
                    "label": row["label"],
                    "kwh": row["kwh"],
                    "accuracy": row["accuracy"],
                    "on_front": row["on_front"],
                }
                for row in finished
            ]
        },
    }
