"""Jobs that wait for a concurrency slot: started together (a sweep, a run with its
baseline) beyond what the plan runs at once. Each freed slot launches the owner's oldest
waiting job; the reconciler calls this too, so a lost wake-up only delays a launch."""

from django.db import transaction

from billing.quotas import release_running_slot, take_running_slot
from jobs import dispatch
from jobs.models import JobStatus, TrainingJob


def _oldest_waiting(user_id: int) -> int | None:
    waiting = TrainingJob.objects.filter(
        owner_id=user_id, status=JobStatus.QUEUED, holds_slot=False
    ).order_by("created_at", "id")
    return waiting.values_list("pk", flat=True).first()


def start_waiting_jobs(*, user_id: int) -> int:
    """Launch waiting jobs while the plan has free slots; returns how many launched."""
    launched = 0
    while (job_id := _oldest_waiting(user_id)) is not None:
        with transaction.atomic():
            if not take_running_slot(user_id=user_id):
                return launched
            # Conditional: a job cancelled a moment ago must not take the slot.
            if not TrainingJob.objects.filter(
                pk=job_id, status=JobStatus.QUEUED, holds_slot=False
            ).update(holds_slot=True):
                release_running_slot(user_id=user_id)
                continue
            dispatch.launch_after_commit(job_id)
        launched += 1
    return launched


def owners_with_waiting_jobs() -> list[int]:
    waiting = TrainingJob.objects.filter(status=JobStatus.QUEUED, holds_slot=False)
    return list(waiting.values_list("owner_id", flat=True).distinct())


def start_waiting_jobs_after_plan_change(sender, *, user_id: int, **changed) -> None:
    """An upgrade may free slots at once: launch what waited for them now, not at the
    reconciler's next pass."""
    start_waiting_jobs(user_id=user_id)
