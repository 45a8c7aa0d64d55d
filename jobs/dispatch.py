"""Handing work to the Celery workers, by task name.

Everything that needs a task run (a service starting a job, the slot hand-off, an
adapter handing a run to a training worker, a publication) calls one of these. They look
the task up in the app's registry at call time instead of importing `jobs.tasks`, so the
lifecycle's imports run one way: the thin task wrappers sit on top and import everything
else, and nothing in the lifecycle imports them back (the app config registers them at
start-up). `task_always_eager` (tests) is honoured as usual.
"""

from celery import current_app
from django.db import transaction

LAUNCH = "jobs.tasks.launch_job"
SUPERVISE_LOCAL_RUN = "jobs.tasks.run_local_job"
PUBLISH = "jobs.tasks.publish_model"
WATCH_SUBMISSION = "jobs.tasks.watch_submission"


def _task(name: str):
    # Registered at start-up by JobsConfig.ready in every process.
    return current_app.tasks[name]


def launch(job_id: int) -> None:
    _task(LAUNCH).delay(job_id)


def launch_after_commit(job_id: int) -> None:
    """Launch the job once the transaction that stored it has committed."""
    transaction.on_commit(lambda: _task(LAUNCH).delay(job_id))


def supervise_local_run(job_id: int, *, queue: str) -> str:
    """Give a local run to a training worker; returns the Celery task id."""
    return _task(SUPERVISE_LOCAL_RUN).apply_async(args=[job_id], queue=queue).id


def publish(publication_id: int, *, countdown: float | None = None) -> None:
    _task(PUBLISH).apply_async(args=[publication_id], countdown=countdown)


def watch_submission(submission_id: int, *, countdown: float | None = None) -> None:
    _task(WATCH_SUBMISSION).apply_async(args=[submission_id], countdown=countdown)
