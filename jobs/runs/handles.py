"""What a platform adapter may know of a job: no ORM object crosses that line."""

from billing import quotas
from billing.effective_plan import effective_plan
from jobs.models import TrainingJob
from jobs.platforms.base import JobHandle


def handle_for(job: TrainingJob) -> JobHandle:
    plan = effective_plan(job.owner)
    return JobHandle(
        id=job.pk,
        owner_id=job.owner_id,
        config=job.config,
        is_baseline=job.is_baseline,
        hardware=job.hardware,
        external_id=job.external_id,
        priority=plan.priority_queue,
        max_runtime_seconds=quotas.max_runtime_seconds(user=job.owner),
        hf_repo=job.hf_repo,
        platform_state=dict(job.platform_state or {}),
        engine_pgid=job.engine_pgid,
        engine_host=job.engine_host,
    )
