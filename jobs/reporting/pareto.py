"""The accuracy/energy Pareto front of a set of finished runs, and their ranking by
accuracy per kWh.

A run is on the front when no other run is at least as accurate for at most the same
energy and strictly better in one of the two: those are the settings worth recommending,
whichever trade-off a user prefers. Accuracy per kWh orders the same runs on one number
(the most accuracy for each unit of energy spent), which a table can sort by.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outcome:
    """A finished run's result: its accuracy (a fraction) and the energy it took."""

    job_id: int
    accuracy: float
    kwh: float

    @property
    def accuracy_per_kwh(self) -> float | None:
        # No energy reading (zero) gives no ratio, rather than an infinite one.
        return self.accuracy / self.kwh if self.kwh > 0 else None


def dominates(a: Outcome, b: Outcome) -> bool:
    """True when ``a`` is at least as good as ``b`` on both axes and better on one."""
    at_least_as_good = a.accuracy >= b.accuracy and a.kwh <= b.kwh
    return at_least_as_good and (a.accuracy > b.accuracy or a.kwh < b.kwh)


def pareto_front(outcomes: list[Outcome]) -> set[int]:
    """The job ids on the front. Two runs with equal figures are both on it (neither beats
    the other). Quadratic, which suits a sweep's at most 50 points."""
    return {
        run.job_id
        for run in outcomes
        if not any(dominates(other, run) for other in outcomes if other is not run)
    }


def rank_by_efficiency(outcomes: list[Outcome]) -> list[tuple[int, Outcome]]:
    """(rank, outcome) from the most accuracy per kWh down; exact ties share a rank
    (1, 2, 2, 4). Runs without a positive energy reading cannot be ranked and are left out."""
    rankable = [run for run in outcomes if run.accuracy_per_kwh is not None]
    # Among equal ratios the more accurate run first; the id only makes the order stable.
    rankable.sort(key=lambda run: (-run.accuracy_per_kwh, -run.accuracy, run.job_id))
    ranked: list[tuple[int, Outcome]] = []
    for position, run in enumerate(rankable, start=1):
        tied = ranked and _same_score(ranked[-1][1], run)
        ranked.append((ranked[-1][0] if tied else position, run))
    return ranked


def _same_score(a: Outcome, b: Outcome) -> bool:
    return (a.accuracy_per_kwh, a.accuracy) == (b.accuracy_per_kwh, b.accuracy)
