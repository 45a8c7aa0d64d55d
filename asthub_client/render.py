"""Plain-text rendering for the CLI: tables, job summaries and the live progress line."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from asthub_client.models import Job


def percent(value: Any) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else "-"


def number(value: Any, digits: int = 4) -> str:
    return f"{value:.{digits}g}" if isinstance(value, int | float) else "-"


def eta(minutes: Any) -> str:
    if not isinstance(minutes, int | float):
        return "-"
    seconds = max(0, round(minutes * 60))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def short_time(iso: str | None) -> str:
    return iso[:16].replace("T", " ") if iso else "-"


def size(num_bytes: Any) -> str:
    if not isinstance(num_bytes, int | float):
        return "-"
    value = float(num_bytes)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    lines = [headers, *cells]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def epoch_of(job: Job) -> str:
    epoch = job.progress.get("epoch")
    epochs = job.progress.get("epochs") or job.epochs
    return f"{epoch}/{epochs}" if epoch is not None else f"0/{epochs}"


def jobs_table(jobs: Sequence[Job]) -> str:
    rows = [
        (
            job.id,
            job.name or "-",
            job.status,
            job.platform,
            f"{job.dataset}/{job.model}",
            epoch_of(job),
            percent(job.progress.get("val_accuracy")),
            percent(job.progress.get("compute_savings")),
            short_time(job.created_at),
        )
        for job in jobs
    ]
    headers = ("ID", "NAME", "STATUS", "PLATFORM", "RUN", "EPOCH", "ACC", "SAVED", "CREATED")
    return table(headers, rows)


def job_details(job: Job) -> str:
    ast = job.ast_config
    pairs = [
        ("id", job.id),
        ("name", job.name or "-"),
        ("status", job.status + (f" ({job.failure_reason})" if job.failure_reason else "")),
        ("platform", f"{job.platform} on {job.hardware}"),
        ("run", f"{job.dataset}/{job.model}, {job.epochs} epochs, batch {job.batch_size}"),
        ("ast", ", ".join(f"{key}={value}" for key, value in ast.items()) or "-"),
        ("baseline", "this is a baseline" if job.is_baseline else (job.baseline_id or "-")),
        ("progress", epoch_of(job)),
        ("accuracy", percent(job.progress.get("val_accuracy"))),
        ("activation", percent(job.progress.get("activation_rate"))),
        ("compute saved", percent(job.progress.get("compute_savings"))),
        ("energy saved", percent(job.progress.get("energy_savings"))),
        ("created", short_time(job.created_at)),
        ("finished", short_time(job.finished_at)),
    ]
    width = max(len(key) for key, _ in pairs)
    return "\n".join(f"{key.ljust(width)}  {value}" for key, value in pairs)


def metrics_table(points: Sequence[dict[str, Any]]) -> str:
    rows = [
        (
            point.get("epoch", "-"),
            number(point.get("train_loss")),
            percent(point.get("val_accuracy")),
            percent(point.get("activation_rate")),
            number(point.get("threshold")),
            percent(point.get("compute_savings")),
            percent(point.get("energy_savings")),
        )
        for point in points
    ]
    headers = ("EPOCH", "LOSS", "ACC", "ACTIVATION", "THRESHOLD", "COMPUTE SAVED", "ENERGY SAVED")
    return table(headers, rows)


def progress_line(job: Job, bar_width: int = 20) -> str:
    """One line that describes a running job: bar, epoch, accuracy, activation, savings, ETA."""
    epoch = job.progress.get("epoch") or 0
    epochs = job.progress.get("epochs") or job.epochs or 0
    done = 1.0 if job.status == "succeeded" else (epoch / epochs if epochs else 0.0)
    filled = round(bar_width * min(1.0, max(0.0, done)))
    bar = "#" * filled + "-" * (bar_width - filled)
    parts = [
        f"job {job.id} {job.status}",
        f"[{bar}] {epoch}/{epochs}",
        f"acc {percent(job.progress.get('val_accuracy'))}",
        f"act {percent(job.progress.get('activation_rate'))}",
        f"saved {percent(job.progress.get('compute_savings'))}",
    ]
    if not job.is_terminal:
        parts.append(f"ETA {eta(job.progress.get('eta_minutes'))}")
    return "  ".join(parts)


def sweep_params(job: Job, keys: Sequence[str]) -> dict[str, Any]:
    """The grid point a sweep run trained. AST settings live in the job's ast_config; the
    other keys a sweep may vary (model, learning_rate, batch_size, seed, epochs) are
    fields of the job itself."""
    return {
        key: job.ast_config[key] if key in job.ast_config else getattr(job, key, None)
        for key in keys
    }


def params_text(params: dict[str, Any]) -> str:
    return " ".join(f"{key}={value}" for key, value in params.items()) or "-"


def sweep_summary(sweep: dict[str, Any], runs: Sequence[Job]) -> str:
    """The hub's ranking of a finished sweep: ranked runs first, then the unranked ones
    (failed or cancelled), one column per grid key, and the best run's settings."""
    keys = sorted(sweep.get("grid") or {})
    by_id = {run.id: run for run in runs}
    summary = sweep.get("summary") or {}

    def params_of(job_id: Any, fallback: dict[str, Any]) -> dict[str, Any]:
        # The runs' own values: the hub's summary knows only the AST settings of a point.
        run = by_id.get(job_id)
        return sweep_params(run, keys) if run is not None else fallback

    rows = []
    for point in summary.get("points") or []:
        params = params_of(point.get("job_id"), dict(point.get("params") or {}))
        rows.append(
            (
                point.get("rank") or "-",
                point.get("job_id"),
                *(params.get(key, "-") for key in keys),
                point.get("status"),
                percent(point.get("val_accuracy")),
                percent(point.get("compute_savings")),
            )
        )
    headers = ("RANK", "JOB", *(key.upper() for key in keys), "STATUS", "ACC", "SAVED")
    lines = [table(headers, rows) if rows else "The sweep has no runs."]
    best = summary.get("best_job_id")
    if best is None:
        lines.append("No run succeeded, so none is ranked.")
    else:
        lines.append(f"Best: job {best} ({params_text(params_of(best, {}))})")
    return "\n".join(lines)
