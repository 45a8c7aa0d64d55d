"""Engine ownership: every local engine is recorded on its job (process group and host)
with the worker that supervises it, so that it can be stopped, and its orphans found,
after that worker is gone.

A job never has two engines: a supervisor that takes over a run stops the recorded
engine first, and the reconciler stops an orphan before it hands the run on.
"""

import contextlib
import logging
import os

from jobs.models import TrainingJob
from jobs.platforms.local.processes import (
    engines_of_this_hub,
    is_engine_group,
    pid_alive,
    stop_engine,
    stop_groups,
    this_host,
)

log = logging.getLogger(__name__)

ORPHAN_GRACE_SECONDS = 10
# The jobs this process supervises right now (a worker runs several supervisors in threads).
_supervising: set[int] = set()


@contextlib.contextmanager
def supervising(job_id: int):
    _supervising.add(job_id)
    try:
        yield
    finally:
        _supervising.discard(job_id)


def record_engine(job_id: int, pgid: int) -> None:
    TrainingJob.objects.filter(pk=job_id).update(engine_host=this_host(), engine_pgid=pgid)


def forget_engine(job_id: int, pgid: int) -> None:
    """The engine has exited and was reaped: nothing is left to stop."""
    TrainingJob.objects.filter(pk=job_id, engine_pgid=pgid).update(engine_pgid=None)


def supervisor_is_gone(job: TrainingJob) -> bool:
    """True when the job's supervisor is known dead: it ran on this host and its process
    no longer exists (or is this very process, which does not supervise it now).
    Unknowable for another host: there the heartbeat's age decides."""
    if job.supervisor_host != this_host() or not job.supervisor_pid:
        return False
    if job.supervisor_pid == os.getpid():
        return job.pk not in _supervising
    return not pid_alive(job.supervisor_pid)


def engine_is_elsewhere(job: TrainingJob) -> bool:
    return bool(job.engine_pgid) and job.engine_host != this_host()


def stop_job_engine(job: TrainingJob, grace_seconds: float = ORPHAN_GRACE_SECONDS) -> bool:
    """Stop the job's recorded engine if it still runs here; returns whether it did."""
    if not job.engine_pgid or job.engine_host != this_host():
        return False
    stopped = stop_engine(job.engine_pgid, job.pk, grace_seconds)
    if stopped:
        log.warning(
            "stopped the orphaned engine of job %s (process group %s)", job.pk, job.engine_pgid
        )
    forget_engine(job.pk, job.engine_pgid)
    return stopped


def stop_engines_on_this_host(grace_seconds: float = ORPHAN_GRACE_SECONDS) -> int:
    """Hub shutdown: stop every engine this hub runs on this machine, recorded or not, all
    at once (SIGTERM, then SIGKILL after the grace period). The jobs stay running: the
    next start resumes them from their checkpoints. Returns how many engines it stopped."""
    groups = engines_of_this_hub()
    recorded = TrainingJob.objects.filter(
        engine_host=this_host(), engine_pgid__isnull=False
    ).values_list("pk", "engine_pgid")
    for job_id, pgid in recorded:
        if pgid not in groups and is_engine_group(pgid, job_id):
            groups[pgid] = job_id
    stop_groups(list(groups), grace_seconds)
    return len(groups)
