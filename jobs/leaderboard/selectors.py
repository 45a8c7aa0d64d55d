"""The board itself: computed from each listed run's own metrics (the same comparison
the compare endpoint makes), grouped per data set, cached briefly because it is public."""

from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch

from jobs.models import JobStatus, LeaderboardEntry, Publication, PublicationStatus
from jobs.reporting.compare import compare_runs
from jobs.run_records import price_settings, run_record
from jobs.sharing.public import public_dataset_name

CACHE_KEY = "leaderboard:v1"
CACHE_SECONDS = 60
MAX_ENTRIES = 1000


def forget_cached_board() -> None:
    cache.delete(CACHE_KEY)


def _published(job) -> Publication | None:
    # Prefer the Hub: it is where people go to use a model.
    publications = list(job.succeeded_publications)
    for publication in publications:
        if publication.target_platform == "huggingface":
            return publication
    return publications[0] if publications else None


def _row(entry: LeaderboardEntry) -> dict[str, Any] | None:
    job = entry.job
    publication = _published(job)
    if publication is None:
        return None  # listed, but not published yet
    record = run_record(job)
    baseline = job.paired_with
    baseline_ok = (
        baseline is not None
        and baseline.status == JobStatus.SUCCEEDED
        and (baseline.dataset, baseline.model) == (job.dataset, job.model)
    )
    try:
        comparison = compare_runs(
            record, run_record(baseline) if baseline_ok else None, price_settings()
        )
    except ValueError:
        return None  # no accuracy or energy reading: nothing to rank
    accuracy, kwh = record.final_accuracy, record.energy_kwh
    if accuracy is None or not kwh or comparison.energy_savings is None:
        return None  # nothing to rank, or too short to estimate a saving
    return {
        "display_name": entry.display_name or "anonymous",
        "dataset": public_dataset_name(job.dataset),
        "model": job.model,
        "platform": job.platform,
        "hardware": job.hardware,
        "epochs": record.epochs_completed,
        "target_activation_rate": record.target_activation_rate,
        "accuracy": accuracy,
        "energy_kwh": kwh,
        "energy_source": record.energy_source,
        "accuracy_per_kwh": accuracy / kwh,
        "baseline_energy_kwh": comparison.baseline.kwh,
        # Training energy on both sides: the saving's one definition (jobs.reporting.compare).
        "energy_saved_kwh": comparison.baseline.train_kwh - comparison.ast.train_kwh,
        "energy_savings": comparison.energy_savings,
        # Public: which kind of baseline, never the owner's private baseline run id.
        "saving_basis": "engine estimate" if comparison.estimated else "baseline run",
        "model_url": publication.url,
        "published_ref": publication.published_ref,
        "listed_at": entry.listed_at.isoformat(),
    }


def _compute() -> list[dict[str, Any]]:
    succeeded = Publication.objects.filter(status=PublicationStatus.SUCCEEDED).order_by(
        "-finished_at", "-id"
    )
    entries = (
        LeaderboardEntry.objects.filter(
            job__status=JobStatus.SUCCEEDED, job__is_baseline=False, job__owner__is_active=True
        )
        .select_related("job", "job__paired_with")
        .prefetch_related(
            Prefetch("job__publications", queryset=succeeded, to_attr="succeeded_publications")
        )
        .order_by("-listed_at")[:MAX_ENTRIES]
    )
    rows = [row for row in (_row(entry) for entry in entries) if row is not None]
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["dataset"], []).append(row)
    board = []
    for dataset in sorted(groups):
        ranked = sorted(
            groups[dataset], key=lambda r: (-r["accuracy_per_kwh"], -r["energy_saved_kwh"])
        )
        for rank, row in enumerate(ranked, start=1):
            row["rank"] = rank
        board.append({"dataset": dataset, "entries": ranked})
    return board


def leaderboard(*, dataset: str | None = None) -> dict[str, Any]:
    """Every data set's ranking, or one data set's (empty if nobody listed a run on it)."""
    board = cache.get_or_set(CACHE_KEY, _compute, CACHE_SECONDS)
    if dataset:
        board = [group for group in board if group["dataset"] == dataset]
    return {
        "ranked_by": "accuracy per kWh, then energy saved against plain training",
        "datasets": board,
    }
