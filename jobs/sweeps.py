"""A sweep as the API shows it: its points ranked by accuracy, then savings."""

from asthub_spec import AST_KEYS
from asthub_spec.sweep import SWEEP_SPEC_KEYS
from jobs.reporting.sweep_summary import SweepPoint, rank_sweep
from jobs.run_records import run_record


def grid_value(job, key: str):
    """A grid key's value for one run: AST settings live in its ast_config, the spec keys
    a sweep may vary (model, learning_rate, batch_size, seed, epochs) on the job itself."""
    if key in AST_KEYS:
        return job.ast_config.get(key)
    return getattr(job, key) if key in SWEEP_SPEC_KEYS else None


def sweep_as_dict(sweep) -> dict:
    jobs = list(sweep.jobs.order_by("id"))
    grid_keys = sorted(sweep.grid)
    points = [
        SweepPoint(
            job_id=job.pk,
            params={key: grid_value(job, key) for key in grid_keys},
            run=run_record(job),
        )
        for job in jobs
    ]
    return {
        "id": sweep.pk,
        "name": sweep.name,
        "created_at": sweep.created_at,
        "spec": sweep.spec,
        "grid": sweep.grid,
        "job_ids": [job.pk for job in jobs],
        "summary": rank_sweep(points),
    }
