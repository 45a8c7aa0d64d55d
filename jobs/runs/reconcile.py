"""The reconciler (Celery beat, every 30 s): no job stays "running" forever, no engine
outlives its run, and no launch is lost between the web process and the broker.

- A supervised run whose supervisor died on this host, or whose heartbeat went silent,
  has its orphaned engine stopped first, then is released for exactly one new supervisor
  to resume it from its checkpoint (or failed, past the plan's runtime or the resume limit).
- An engine of this hub whose job is over, or that no job records, is stopped.
- Jobs queued with a slot but never launched are launched again; waiting jobs get freed
  slots; runs nobody picked up, and remote launches that never completed, fail.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from billing import quotas
from jobs import dispatch, state
from jobs.models import JobStatus, TrainingJob
from jobs.platforms import adapter_for
from jobs.platforms.local.processes import engines_of_this_hub, stop_groups, this_host
from jobs.queueing import owners_with_waiting_jobs, start_waiting_jobs
from jobs.runs.engines import (
    ORPHAN_GRACE_SECONDS,
    engine_is_elsewhere,
    stop_job_engine,
    supervisor_is_gone,
)
from jobs.runs.finish import fail_before_platform, finish_succeeded, mark_failed
from jobs.runs.handles import handle_for
from jobs.runs.metrics import record_metrics
from jobs.runs.supervise import runtime_limit_reason

# An engine that no job records is left alone this long (its supervisor records it a
# moment after starting it).
UNRECORDED_ENGINE_GRACE_SECONDS = 60
LOST_LAUNCH_AFTER = timedelta(minutes=2)
UNCLAIMED_AFTER = timedelta(hours=6)
UNFINISHED_LAUNCH_AFTER = timedelta(hours=1)


def _supervised_running():
    """Running jobs that a supervisor of this hub follows (polled runs have next_poll_at),
    whose supervisor has not been released already."""
    return TrainingJob.objects.select_related("owner").filter(
        status=JobStatus.RUNNING, next_poll_at__isnull=True, heartbeat_at__isnull=False
    )


def _over_runtime(job: TrainingJob, now) -> int | None:
    limit = quotas.max_runtime_seconds(user=job.owner)
    if limit and job.started_at and (now - job.started_at).total_seconds() > limit:
        return limit
    return None


def _finished_unsupervised(job: TrainingJob, adapter) -> bool:
    """The engine completed while nobody supervised it: finish the run from what the
    platform says (its folder) instead of running it again."""
    result = adapter.poll(handle_for(job), None)
    if result.state != "succeeded":
        return False
    record_metrics(job_id=job.pk, points=result.metrics)
    finish_succeeded(job, adapter, None)
    return True


def _recover_orphans(now) -> dict[str, int]:
    counts = {"resumed": 0, "failed": 0, "finished": 0}
    stale = now - timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT_SECONDS)
    for job in _supervised_running():
        silent = job.heartbeat_at < stale
        if not (silent or supervisor_is_gone(job)):
            continue
        if engine_is_elsewhere(job) and not silent:
            continue  # its own host's supervisor may still be alive; wait for the heartbeat
        stop_job_engine(job)  # never two engines for one job: the orphan goes first
        adapter = adapter_for(job.platform)
        if _finished_unsupervised(job, adapter):
            counts["finished"] += 1
            continue
        limit = _over_runtime(job, now)
        if limit:
            counts["failed"] += mark_failed(job.pk, runtime_limit_reason(limit))
            continue
        if job.attempts > settings.JOB_MAX_RESUMES:
            reason = f"The worker running this job stopped {job.attempts} times; giving up."
            counts["failed"] += mark_failed(job.pk, reason)
            continue
        # Released (heartbeat and supervisor cleared) for exactly one new supervisor to
        # claim; the conditional update keeps two reconcilers from both resuming it.
        released = TrainingJob.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, heartbeat_at=job.heartbeat_at
        ).update(heartbeat_at=None, supervisor_pid=None, launched_at=now)
        if released:
            adapter.launch(handle_for(job), None)
            counts["resumed"] += 1
    return counts


def _stop_stray_engines() -> int:
    """Engines of this hub whose job is over, or that are not the job's recorded engine."""
    engines = engines_of_this_hub(older_than_seconds=UNRECORDED_ENGINE_GRACE_SECONDS)
    if not engines:
        return 0
    owned = {
        (job_id, pgid)
        for job_id, pgid in TrainingJob.objects.filter(
            pk__in=set(engines.values()), status=JobStatus.RUNNING, engine_host=this_host()
        ).values_list("pk", "engine_pgid")
    }
    strays = [pgid for pgid, job_id in engines.items() if (job_id, pgid) not in owned]
    stop_groups(strays, ORPHAN_GRACE_SECONDS)
    return len(strays)


def _stop_engines_of_ended_jobs() -> int:
    ended = TrainingJob.objects.filter(
        status__in=state.TERMINAL, engine_host=this_host(), engine_pgid__isnull=False
    )
    return sum(stop_job_engine(job) for job in ended)


def _relaunch_lost(now) -> int:
    lost = TrainingJob.objects.filter(
        status=JobStatus.QUEUED, holds_slot=True, created_at__lt=now - LOST_LAUNCH_AFTER
    ).values_list("pk", flat=True)
    for job_id in lost:
        dispatch.launch(job_id)
    return len(lost)


def _fail_unclaimed(now) -> int:
    """Handed to a training worker (a first launch or a resume) but never picked up."""
    since = now - UNCLAIMED_AFTER
    stuck = TrainingJob.objects.filter(next_poll_at__isnull=True).filter(
        Q(status=JobStatus.LAUNCHING, created_at__lt=since) & ~Q(external_id="")
        | Q(status=JobStatus.RUNNING, heartbeat_at__isnull=True, launched_at__lt=since)
    )
    return sum(mark_failed(job.pk, "No training worker picked this job up.") for job in stuck)


def _fail_unfinished_launches(now) -> int:
    """A launch whose worker died between "launching" and the platform's answer."""
    unfinished = TrainingJob.objects.filter(
        status=JobStatus.LAUNCHING,
        external_id="",
        created_at__lt=now - UNFINISHED_LAUNCH_AFTER,
    )
    reason = (
        "The launch on the platform did not complete within an hour; check the platform "
        "for a stray run, then start the job again."
    )
    return sum(fail_before_platform(job, reason) for job in unfinished)


def reconcile() -> dict[str, int]:
    now = timezone.now()
    counts = _recover_orphans(now)
    counts["engines_stopped"] = _stop_engines_of_ended_jobs() + _stop_stray_engines()
    for owner_id in owners_with_waiting_jobs():
        start_waiting_jobs(user_id=owner_id)
    counts["relaunched"] = _relaunch_lost(now)
    counts["failed"] += _fail_unclaimed(now) + _fail_unfinished_launches(now)
    return counts
