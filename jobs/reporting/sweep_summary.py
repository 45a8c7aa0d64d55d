"""Ranking the points of a hyper-parameter sweep (the ``summary`` of a sweep object).

Accuracy decides; compute savings break ties, because between two equally accurate
settings the cheaper one is the better recommendation. Runs that did not succeed are
listed (so the user sees every grid point) but never ranked: a half-trained run's accuracy
is not comparable with a finished one's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .records import RunRecord

FINISHED = "succeeded"


@dataclass(frozen=True)
class SweepPoint:
    job_id: int
    params: dict[str, Any] = field(default_factory=dict)
    run: RunRecord | None = None


def _status(point: SweepPoint) -> str:
    return point.run.status if point.run is not None else "queued"


def _entry(point: SweepPoint) -> dict[str, Any]:
    run = point.run
    return {
        "job_id": point.job_id,
        "params": dict(point.params),
        "status": _status(point),
        "val_accuracy": run.final_accuracy if run else None,
        "compute_savings": run.compute_savings if run else None,
        "energy_savings": run.energy_savings if run else None,
        "rank": None,
    }


def rank_sweep(points: list[SweepPoint]) -> dict[str, Any]:
    """``{"points": [...], "best_job_id": id | None}``, ranked points first."""
    entries = [_entry(point) for point in points]
    rankable = [e for e in entries if e["status"] == FINISHED and e["val_accuracy"] is not None]
    ranked_ids = {id(e) for e in rankable}
    others = [e for e in entries if id(e) not in ranked_ids]

    def key(entry: dict[str, Any]) -> tuple[float, float, int]:
        savings = entry["compute_savings"] if entry["compute_savings"] is not None else 0.0
        # job_id last only makes the order deterministic; it does not affect the rank.
        return (-entry["val_accuracy"], -savings, entry["job_id"])

    rankable.sort(key=key)
    previous: tuple[float, float] | None = None
    for position, entry in enumerate(rankable, start=1):
        score = key(entry)[:2]
        # Exact ties share a rank (1, 2, 2, 4), as on any leaderboard.
        entry["rank"] = rankable[position - 2]["rank"] if score == previous else position
        previous = score
    others.sort(key=lambda e: e["job_id"])
    return {
        "points": rankable + others,
        "best_job_id": rankable[0]["job_id"] if rankable else None,
    }
