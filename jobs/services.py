"""Writes for training jobs. Every surface (portal, REST, MCP, CLI) calls these."""

from dataclasses import replace
from itertools import product

from django.db import IntegrityError, transaction

from accounts import audit
from asthub_site.errors import Conflict, InvalidInput, QuotaExceeded
from billing import quotas
from billing.effective_plan import effective_plan
from jobs import state
from jobs.events import publish_job_event
from jobs.models import JobStatus, MetricPoint, Sweep, TrainingJob
from jobs.platforms import adapter_for
from jobs.platforms.base import JobHandle
from jobs.selectors import job_for
from jobs.spec import AST_KEYS, JobSpec
from jobs.training import ENGINE_VERSION, build_script, script_sha256

MAX_SWEEP_POINTS = 50


def _store_job(*, user, spec: JobSpec, is_baseline: bool, **links) -> TrainingJob:
    reservation = quotas.reserve_job_slot(user=user)
    config = spec.engine_config()
    script = build_script(config)
    return TrainingJob.objects.create(
        owner=user,
        name=spec.name,
        platform=spec.platform,
        dataset=spec.dataset,
        model=spec.model,
        epochs=spec.epochs,
        batch_size=spec.batch_size,
        learning_rate=spec.learning_rate,
        seed=spec.seed,
        hardware=spec.hardware,
        ast_config={key: config["ast"][key] for key in AST_KEYS},
        is_baseline=is_baseline,
        auto_upload_hf=spec.auto_upload_hf and not is_baseline,
        hf_repo=spec.hf_repo if not is_baseline else "",
        config=config,
        engine_version=ENGINE_VERSION,
        script_sha256=script_sha256(script),
        slot_period=reservation.period_start,
        platform_state=spec.platform_state(),
        **links,
    )


def _enqueue_launch(job_id: int) -> None:
    from jobs.tasks import launch_job

    transaction.on_commit(lambda: launch_job.delay(job_id))


def start_training(*, user, spec: JobSpec, as_baseline: bool = False, **links) -> TrainingJob:
    """Validate, reserve the plan's slot(s), store the job(s) and enqueue the launch.

    With `with_baseline`, the paired baseline run is started too and takes its own slot.
    """
    adapter_for(spec.platform)  # an unavailable platform is refused before anything
    quotas.check_hardware(user=user, hardware=spec.hardware)
    plan = effective_plan(user)
    if spec.with_baseline and not plan.concurrent_jobs.allows(1):
        raise QuotaExceeded(
            f"A run with its baseline needs 2 concurrent jobs; your {plan.title} plan runs "
            f"{plan.concurrent_jobs} at a time. Start the baseline separately, or upgrade."
        )
    with transaction.atomic():
        job = _store_job(user=user, spec=spec, is_baseline=as_baseline, **links)
        jobs = [job]
        if spec.with_baseline:
            baseline = _store_job(user=user, spec=spec, is_baseline=True, **links)
            job.paired_with = baseline
            job.save(update_fields=["paired_with"])
            jobs.append(baseline)
        for stored in jobs:
            audit.record(
                user=user,
                actor=user,
                action="job.started",
                target=stored,
                detail={"platform": stored.platform, "baseline": stored.is_baseline},
            )
            _enqueue_launch(stored.pk)
    return job


def spec_of(job: TrainingJob) -> JobSpec:
    return JobSpec(
        dataset=job.dataset,
        model=job.model,
        epochs=job.epochs,
        batch_size=job.batch_size,
        learning_rate=job.learning_rate,
        seed=job.seed,
        platform=job.platform,
        hardware=job.hardware,
        name=job.name,
        ast_config=dict(job.ast_config),
        auto_upload_hf=job.auto_upload_hf,
        hf_repo=job.hf_repo,
    )


def rerun_training(*, user, job_id: int) -> TrainingJob:
    """Start an identical run: same config, hence the same script and hash."""
    original = job_for(user, job_id)
    return start_training(
        user=user, spec=spec_of(original), as_baseline=original.is_baseline, rerun_of=original
    )


def cancel_training(*, user, job_id: int, confirm: bool = False) -> TrainingJob:
    """Stop a job. Where the platform cannot stop a run (Kaggle) the run goes on there:
    the user is told so, and only with `confirm` does the hub stop following it."""
    job = job_for(user, job_id)
    if job.is_terminal:
        raise Conflict(f"Job {job.pk} already {job.status}; nothing to cancel.")
    adapter = adapter_for(job.platform)
    launched = job.status != JobStatus.QUEUED
    if not adapter.can_cancel and launched and not confirm:
        raise Conflict(_cannot_stop_message(job))
    reason = "Cancelled by the user."
    if not adapter.can_cancel and launched:
        reason = (
            "No longer followed here at the user's request; the run may still be going "
            f"on {job.get_platform_display()}."
        )
    if state.transition(job.pk, JobStatus.CANCELLED, failure_reason=reason):
        audit.record(
            user=user,
            actor=user,
            action="job.cancelled",
            target=job,
            detail={"platform_stopped": adapter.can_cancel or not launched},
        )
        if adapter.can_cancel:
            adapter.cancel(handle_for(job), None)
    job.refresh_from_db()
    return job


def _cannot_stop_message(job: TrainingJob) -> str:
    where = (job.platform_state or {}).get("url") or f"your {job.get_platform_display()} account"
    return (
        f"{job.get_platform_display()} has no API to stop a running kernel; job {job.pk} keeps "
        f"running and using your GPU quota until it ends — stop it at {where}. Cancel again "
        "with confirm=true to stop following it here."
    )


def record_metric(*, job_id: int, point: dict) -> bool:
    """Store one engine metric line once (idempotent on job and epoch)."""
    epoch = point.get("epoch")
    if not isinstance(epoch, int) or epoch < 0:
        return False
    try:
        with transaction.atomic():
            _, created = MetricPoint.objects.get_or_create(
                job_id=job_id, epoch=epoch, defaults={"data": point}
            )
    except IntegrityError:
        return False
    if created:
        publish_job_event(job_id)
    return created


def handle_for(job: TrainingJob) -> JobHandle:
    """What a platform adapter may know of a job (no ORM object crosses that line)."""
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
        platform_state=dict(job.platform_state or {}),
    )


def start_sweep(*, user, spec: JobSpec, grid: dict, name: str = "") -> Sweep:
    """One job per point of the grid over AST settings, each counted against the plan."""
    if not isinstance(grid, dict) or not grid:
        raise InvalidInput("grid must map AST settings to lists of values.")
    unknown = sorted(set(grid) - set(AST_KEYS))
    if unknown:
        raise InvalidInput(
            f"A sweep varies AST settings only; unknown: {', '.join(unknown)}; "
            f"known: {', '.join(AST_KEYS)}.",
            fields={"grid": ["unknown key"]},
        )
    for key, values in grid.items():
        if not isinstance(values, list) or not values or len(values) > MAX_SWEEP_POINTS:
            raise InvalidInput(f"grid.{key} must be a list of 1 to {MAX_SWEEP_POINTS} values.")
    keys = sorted(grid)
    points = [dict(zip(keys, values, strict=True)) for values in product(*(grid[k] for k in keys))]
    if len(points) > MAX_SWEEP_POINTS:
        raise InvalidInput(f"The grid has {len(points)} points; at most {MAX_SWEEP_POINTS}.")
    if spec.with_baseline:
        raise InvalidInput("Sweeps do not take with_baseline; start one baseline separately.")
    specs = [replace(spec, ast_config={**spec.ast_config, **point}) for point in points]
    for point_spec in specs:
        point_spec.validate()
    with transaction.atomic():
        sweep = Sweep.objects.create(owner=user, name=name, spec=spec.as_dict(), grid=grid)
        for point_spec in specs:
            start_training(user=user, spec=point_spec, sweep=sweep)
        audit.record(
            user=user,
            actor=user,
            action="sweep.started",
            target=sweep,
            detail={"points": len(specs)},
        )
    return sweep
