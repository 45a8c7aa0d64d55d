"""Writes for training jobs. Every surface (portal, REST, MCP, CLI) calls these."""

from dataclasses import replace
from itertools import product

from django.db import IntegrityError, transaction

from accounts import audit
from accounts.services import use_credential
from asthub_site.errors import Conflict, InvalidInput
from billing import quotas
from billing.effective_plan import effective_plan
from jobs import state
from jobs.events import publish_job_event
from jobs.models import JobStatus, MetricPoint, Sweep, TrainingJob
from jobs.platforms import adapter_for
from jobs.platforms.base import JobHandle, PlatformBusy, PlatformUnavailable
from jobs.selectors import job_for
from jobs.spec import AST_KEYS, JobSpec
from jobs.training import ENGINE_VERSION, build_script, script_sha256

MAX_SWEEP_POINTS = 50
# Besides AST settings a sweep may vary these spec fields, e.g. several architectures at
# once ("train 5 popular architectures with AST on CIFAR-100").
SWEEP_SPEC_KEYS = ("model", "learning_rate", "batch_size", "seed", "epochs")


def _store_job(
    *, user, spec: JobSpec, is_baseline: bool, wait_for_slot: bool = False, **links
) -> TrainingJob:
    reservation = quotas.reserve_job_slot(user=user, wait_for_slot=wait_for_slot)
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
        holds_slot=reservation.holds_slot,
        **links,
    )


def enqueue_launch(job_id: int) -> None:
    from jobs.tasks import launch_job

    transaction.on_commit(lambda: launch_job.delay(job_id))


def start_training(
    *, user, spec: JobSpec, as_baseline: bool = False, wait_for_slot: bool = False, **links
) -> TrainingJob:
    """Validate, reserve the plan's slot(s), store the job(s) and enqueue the launch.

    With `with_baseline`, the paired baseline run is started too and takes its own slot,
    or waits for one (it launches when the AST run ends on a one-at-a-time plan).
    With `wait_for_slot`, a run over the concurrency limit waits in the queue instead of
    being refused; the month's limit is always enforced at once.
    """
    adapter_for(spec.platform)  # an unavailable platform is refused before anything
    quotas.check_hardware(user=user, hardware=spec.hardware)
    with transaction.atomic():
        job = _store_job(
            user=user, spec=spec, is_baseline=as_baseline, wait_for_slot=wait_for_slot, **links
        )
        jobs = [job]
        if spec.with_baseline:
            baseline = _store_job(
                user=user, spec=spec, is_baseline=True, wait_for_slot=True, **links
            )
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
            if stored.holds_slot:
                enqueue_launch(stored.pk)
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
    if adapter.is_remote and adapter.can_cancel and job.external_id:
        # Stop it on the platform first: if the platform refuses, the user hears so and
        # the job stays as it is, rather than showing "cancelled" while it runs and bills.
        credential = use_credential(user=user, provider=adapter.needs_credential)
        try:
            adapter.cancel(handle_for(job), credential)
        except PlatformBusy as busy:
            raise PlatformUnavailable(f"{busy} The run was not cancelled; try again.") from None
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
        if not adapter.is_remote:
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
        hf_repo=job.hf_repo,
        platform_state=dict(job.platform_state or {}),
    )


def start_sweep(*, user, spec: JobSpec, grid: dict, name: str = "") -> Sweep:
    """One job per point of the grid over AST settings and/or architectures (and a few
    other spec fields), each counted against the month at once. As many as the plan's
    concurrency allows run in parallel; the rest wait and launch as slots free up."""
    if not isinstance(grid, dict) or not grid:
        raise InvalidInput("grid must map AST settings or spec fields to lists of values.")
    known = AST_KEYS + SWEEP_SPEC_KEYS
    unknown = sorted(set(grid) - set(known))
    if unknown:
        raise InvalidInput(
            f"A sweep cannot vary {', '.join(unknown)}; it varies: {', '.join(known)}.",
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
    specs = [_point_spec(spec, point) for point in points]
    for point_spec in specs:
        point_spec.validate()
    with transaction.atomic():
        sweep = Sweep.objects.create(owner=user, name=name, spec=spec.as_dict(), grid=grid)
        for point_spec in specs:
            start_training(user=user, spec=point_spec, sweep=sweep, wait_for_slot=True)
        audit.record(
            user=user,
            actor=user,
            action="sweep.started",
            target=sweep,
            detail={"points": len(specs)},
        )
    return sweep


def _point_spec(spec: JobSpec, point: dict) -> JobSpec:
    ast = {key: value for key, value in point.items() if key in AST_KEYS}
    fields = {key: value for key, value in point.items() if key in SWEEP_SPEC_KEYS}
    named = {"name": f"{spec.name} {point['model']}".strip()} if "model" in point else {}
    return replace(spec, ast_config={**spec.ast_config, **ast}, **fields, **named)
