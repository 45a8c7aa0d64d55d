"""A sweep as the API shows it: its points ranked by accuracy, then savings."""

from jobs.reporting.sweep_summary import SweepPoint, rank_sweep
from jobs.run_records import run_record


def sweep_as_dict(sweep) -> dict:
    jobs = list(sweep.jobs.order_by("id"))
    grid_keys = sorted(sweep.grid)
    points = [
        SweepPoint(
            job_id=job.pk,
            params={key: job.ast_config.get(key) for key in grid_keys},
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
