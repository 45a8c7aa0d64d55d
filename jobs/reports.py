"""The bridge from stored jobs to the pure reporting layer (jobs.reporting): build run
records, then compare runs, price them and write model cards."""

import tempfile
from pathlib import Path

from django.db import transaction

from asthub_site.errors import InvalidInput
from jobs.artifacts import store_artifacts
from jobs.models import JobStatus, ModelCard, TrainingJob
from jobs.reporting.card import render_model_card
from jobs.reporting.compare import Comparison, compare_runs
from jobs.reporting.plots import render_plots
from jobs.run_records import price_settings, run_record
from jobs.selectors import job_for


def compare(*, user, ast_run_id: int, baseline_run_id: int | None = None) -> Comparison:
    """Compare an AST run with its baseline (given, paired, or estimated from its counts)."""
    ast_job = job_for(user, ast_run_id)
    if ast_job.is_baseline:
        raise InvalidInput(f"Job {ast_job.pk} is a baseline run; pass the AST run first.")
    if baseline_run_id is None and ast_job.paired_with_id:
        baseline_run_id = ast_job.paired_with_id
    baseline_job = job_for(user, baseline_run_id) if baseline_run_id is not None else None
    if baseline_job is not None and baseline_job.pk == ast_job.pk:
        raise InvalidInput("A run cannot be its own baseline.")
    try:
        return compare_runs(
            run_record(ast_job),
            run_record(baseline_job) if baseline_job else None,
            price_settings(),
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc


def finished_or_error(job: TrainingJob) -> None:
    if job.status != JobStatus.SUCCEEDED:
        raise InvalidInput(f"Job {job.pk} is {job.status}; model cards are for succeeded runs.")


def latest_card(*, user, job_id: int) -> ModelCard | None:
    return ModelCard.objects.filter(job=job_for(user, job_id)).first()


def save_card(*, job: TrainingJob, template: str, markdown: str, badges, plots) -> ModelCard:
    with transaction.atomic():
        return ModelCard.objects.create(
            job=job, template=template, markdown=markdown, badges=badges, plots=plots
        )


def create_model_card(*, user, run_id: int, template: str = "standard") -> ModelCard:
    """Render the card and its plots for a succeeded run; plots become artifacts."""
    job = job_for(user, run_id)
    finished_or_error(job)
    if job.is_baseline:
        raise InvalidInput(
            f"Job {job.pk} is a baseline run; model cards describe AST runs (its AST run's "
            "card includes the comparison with it)."
        )
    comparison = compare(user=user, ast_run_id=job.pk)
    baseline = job.paired_with if job.paired_with_id else None
    with tempfile.TemporaryDirectory() as folder:
        # Plots sit beside the card (README.md) wherever it is published, so the card
        # links them by bare file name.
        paths = render_plots(
            run_record(job), Path(folder), baseline=run_record(baseline) if baseline else None
        )
        store_artifacts(job, Path(folder))
    plot_names = [path.name for path in paths]
    try:
        card = render_model_card(
            run_record(job),
            comparison,
            template=template,
            repo_id=job.hf_repo or None,
            plot_names=plot_names,
            leaderboard=_leaderboard(job),
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    plots = [
        {"name": name, "url": f"/api/v1/jobs/{job.pk}/artifacts/{name}"} for name in plot_names
    ]
    return save_card(
        job=job, template=template, markdown=card.markdown, badges=card.badges, plots=plots
    )


def _leaderboard(job) -> dict[str, str] | None:
    """The run's latest scored Kaggle submission: every card shows its public score."""
    from jobs.competitions import latest_score

    submission = latest_score(job)
    if submission is None:
        return None
    return {
        "competition": submission.competition,
        "url": f"https://www.kaggle.com/competitions/{submission.competition}/leaderboard",
        "public_score": submission.public_score,
        "file_name": submission.file_name,
        "scored_at": f"{submission.scored_at:%Y-%m-%d}" if submission.scored_at else "",
    }
