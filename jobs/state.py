"""The job state machine, enforced in one place.

queued → launching → running → succeeded | failed | cancelled; queued and launching can
also fail or be cancelled. Each transition is one conditional UPDATE (`WHERE status IN
allowed sources`), so two workers racing to move the same job cannot both win, and the
side effects of reaching a terminal state (freeing the concurrency slot) happen once.
"""

from django.db import transaction
from django.utils import timezone

from billing.quotas import release_running_slot
from jobs.events import publish_job_event
from jobs.figures import refresh_figures
from jobs.models import JobStatus, TrainingJob
from jobs.queueing import start_waiting_jobs

ALLOWED_SOURCES: dict[str, frozenset[str]] = {
    JobStatus.LAUNCHING: frozenset({JobStatus.QUEUED}),
    JobStatus.RUNNING: frozenset({JobStatus.LAUNCHING}),
    JobStatus.SUCCEEDED: frozenset({JobStatus.RUNNING}),
    JobStatus.FAILED: frozenset({JobStatus.QUEUED, JobStatus.LAUNCHING, JobStatus.RUNNING}),
    JobStatus.CANCELLED: frozenset({JobStatus.QUEUED, JobStatus.LAUNCHING, JobStatus.RUNNING}),
}
TERMINAL = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class IllegalTransition(Exception):
    pass


def transition(job_id: int, to: str, **fields) -> bool:
    """Move the job to `to` if its current status allows it. Returns whether it moved."""
    if to not in ALLOWED_SOURCES:
        raise IllegalTransition(f"no transition leads to {to!r}")
    now = timezone.now()
    if to == JobStatus.RUNNING:
        fields.setdefault("started_at", now)
        fields.setdefault("heartbeat_at", now)
    if to in TERMINAL:
        fields.setdefault("finished_at", now)
    with transaction.atomic():
        moved = TrainingJob.objects.filter(pk=job_id, status__in=ALLOWED_SOURCES[to]).update(
            status=to, **fields
        )
        # Only a job that held a concurrency slot gives one back (a job still waiting
        # for one did not take it); the freed slot goes to the owner's next waiting job.
        if moved and to in TERMINAL:
            refresh_figures(job_id)  # the final costs (an HF run's billed time ends here)
            released = TrainingJob.objects.filter(pk=job_id, holds_slot=True).update(
                holds_slot=False
            )
            if released:
                owner_id = TrainingJob.objects.filter(pk=job_id).values_list("owner_id", flat=True)[
                    0
                ]
                release_running_slot(user_id=owner_id)
                transaction.on_commit(lambda: start_waiting_jobs(user_id=owner_id))
        if moved:
            transaction.on_commit(lambda: publish_job_event(job_id))
    return bool(moved)
