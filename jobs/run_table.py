"""The portal's runs table: the user's runs with their figures as columns, filtered,
sorted and paged in the database.

Every figure comes from the job's stored `figures` (written when a metric point arrives),
so a page of rows is one query whatever its sort: nothing is computed per row here. A run
whose figures were never stored shows dashes until its own page is opened.
"""

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import DurationField, ExpressionWrapper, F, QuerySet

from jobs.models import JobStatus, TrainingJob

PAGE_SIZE = 50
# Sort keys a request may name, and the column (or stored figure) each orders by.
SORTS = {
    "created": "created_at",
    "id": "id",
    "name": "name",
    "status": "status",
    "platform": "platform",
    "dataset": "dataset",
    "accuracy": "figures__progress__val_accuracy",
    "activation": "figures__progress__activation_rate",
    "energy_saved": "figures__progress__energy_saved",
    "compute_saved": "figures__progress__compute_savings",
    "cost": "figures__progress__cost_usd",
    "duration": "duration",
}
DEFAULT_SORT = "-created"
PLATFORMS = ("local", "kaggle", "huggingface")
KINDS = ("ast", "baseline")
# The wide columns a table row never shows stay in the database.
NOT_SHOWN = ("config", "summary", "platform_state")


@dataclass(frozen=True)
class TableQuery:
    """What a request asked for, cleaned: unknown values fall back to "all"."""

    status: str = ""
    platform: str = ""
    kind: str = ""
    dataset: str = ""
    sweep: int | None = None
    sort: str = DEFAULT_SORT
    page: int = 1

    @classmethod
    def of(cls, params) -> "TableQuery":
        sort = params.get("sort") or DEFAULT_SORT
        if sort.lstrip("-") not in SORTS:
            sort = DEFAULT_SORT
        sweep = params.get("sweep") or ""
        page = params.get("page") or "1"
        return cls(
            status=_one_of(params.get("status"), JobStatus.values),
            platform=_one_of(params.get("platform"), PLATFORMS),
            kind=_one_of(params.get("kind"), KINDS),
            dataset=(params.get("dataset") or "").strip()[:300],
            sweep=int(sweep) if sweep.isdigit() and len(sweep) < 12 else None,
            sort=sort,
            page=int(page) if page.isdigit() and len(page) < 8 else 1,
        )

    def filters(self) -> dict[str, Any]:
        """The query's filters as URL parameters (for sort and page links)."""
        given = {
            "status": self.status,
            "platform": self.platform,
            "kind": self.kind,
            "dataset": self.dataset,
            "sweep": self.sweep or "",
        }
        return {key: value for key, value in given.items() if value}


def _one_of(value, allowed) -> str:
    return value if value in allowed else ""


def runs_page(user, query: TableQuery) -> Page:
    """One page of the user's runs as the query asks."""
    return Paginator(_rows(user, query), PAGE_SIZE).get_page(query.page)


def _rows(user, query: TableQuery) -> QuerySet:
    rows = (
        TrainingJob.objects.for_user(user)
        .defer(*NOT_SHOWN)
        .annotate(
            duration=ExpressionWrapper(
                F("finished_at") - F("started_at"), output_field=DurationField()
            )
        )
    )
    if query.status:
        rows = rows.filter(status=query.status)
    if query.platform:
        rows = rows.filter(platform=query.platform)
    if query.kind:
        rows = rows.filter(is_baseline=query.kind == "baseline")
    if query.dataset:
        rows = rows.filter(dataset__icontains=query.dataset)
    if query.sweep is not None:
        rows = rows.filter(sweep_id=query.sweep)
    column = SORTS[query.sort.lstrip("-")]
    descending = query.sort.startswith("-")
    order = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return rows.order_by(order, "-id")


def row_figures(job: TrainingJob) -> dict[str, Any]:
    """The stored figures a row shows ({} when none were stored)."""
    figures = job.figures if isinstance(job.figures, dict) else {}
    progress = figures.get("progress")
    return progress if isinstance(progress, dict) else {}
