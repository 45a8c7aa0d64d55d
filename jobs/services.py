"""Writes for training jobs. Every surface (portal, REST, MCP, CLI) calls these."""

from itertools import product

from django.db import transaction

from accounts import audit
from accounts.models import Provider
from accounts.selectors import has_credential
from asthub_site.errors import Conflict, InvalidInput, MissingCredential
from asthub_spec.sweep import MAX_SWEEP_POINTS, SWEEP_SPEC_KEYS
from billing import quotas
from jobs import dispatch
from jobs.catalog.models import LARGE_MODEL_MILLIONS
from jobs.models import Sweep, TrainingJob
from jobs.platforms import adapter_for
from jobs.runs.cancel import cancel_run
from jobs.selectors import job_for
from jobs.spec import AST_KEYS, JobSpec
from jobs.training import ENGINE_VERSION, build_script, script_sha256


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


def _require_credential(user, provider: str | None) -> None:
    """A remote run needs the user's own account there: refused before a slot or the
    month's count is spent, not as a failed job after."""
    if provider and not has_credential(user, provider):
        label = Provider(provider).label
        raise MissingCredential(
            f"Training on {label} runs in your own {label} account: connect it under "
            "Credentials in the portal or with POST /api/v1/credentials, then start again. "
            "Nothing was started."
        )


def start_training(
    *, user, spec: JobSpec, as_baseline: bool = False, wait_for_slot: bool = False, **links
) -> TrainingJob:
    """Validate, reserve the plan's slot(s), store the job(s) and enqueue the launch.

    With `with_baseline`, the paired baseline run is started too and takes its own slot,
    or waits for one (it launches when the AST run ends on a one-at-a-time plan).
    With `wait_for_slot`, a run over the concurrency limit waits in the queue instead of
    being refused; the month's limit is always enforced at once.
    """
    adapter = adapter_for(spec.platform)  # an unavailable platform is refused before anything
    check_plan_allows(user=user, spec=spec)
    _require_credential(user, adapter.needs_credential)
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
                dispatch.launch_after_commit(stored.pk)
    return job


def check_training(*, user, spec: JobSpec) -> JobSpec:
    """Everything start_training checks before it reserves, and nothing more: the spec
    (already checked against the catalog and its platform), the platform's availability
    and the plan's rules. Starts nothing."""
    adapter_for(spec.platform)
    check_plan_allows(user=user, spec=spec)
    return spec


# What a run writes besides its weights: metrics, report, card, plots (measured: < 1 MB).
RUN_OUTPUT_BYTES = 2_000_000
BYTES_PER_PARAMETER = 4  # float32 weights in model.safetensors


def expected_artifact_bytes(spec: JobSpec) -> int:
    """What a run (and its baseline) will add to the artifact store."""
    millions = spec.resolved.model.params_millions or 0.0
    per_run = RUN_OUTPUT_BYTES + int(millions * 1_000_000 * BYTES_PER_PARAMETER)
    return per_run * (2 if spec.with_baseline else 1)


def check_plan_allows(*, user, spec: JobSpec) -> None:
    """The plan's hardware, model-size and storage rules; the catalog checked the rest."""
    quotas.check_hardware(user=user, hardware=spec.hardware)
    quotas.check_artifact_storage(
        user=user, adding_bytes=expected_artifact_bytes(spec), what="this run"
    )
    model = spec.resolved.model
    quotas.check_model(
        user=user,
        model=spec.model,
        min_plan=model.needs.min_plan,
        size=f"{model.params_millions:,.1f} M parameters (the limit is {LARGE_MODEL_MILLIONS:g} M)"
        if model.params_millions is not None
        else "no known size",
    )


def spec_of(job: TrainingJob) -> JobSpec:
    """The spec a stored job ran, checked again against today's catalog and platform."""
    image_size = job.config.get("image_size") if job.config else None
    return JobSpec.from_dict(
        {
            "dataset": job.dataset,
            "model": job.model,
            "epochs": job.epochs,
            "batch_size": job.batch_size,
            "learning_rate": job.learning_rate,
            "seed": job.seed,
            "platform": job.platform,
            "hardware": job.hardware,
            "name": job.name,
            "ast_config": {key: job.ast_config[key] for key in AST_KEYS if key in job.ast_config},
            "auto_upload_hf": job.auto_upload_hf,
            "hf_repo": job.hf_repo,
            "pretrained": bool(job.config.get("pretrained")) if job.config else False,
        }
        | ({"image_size": image_size} if image_size and image_size != 64 else {})
    )


def rerun_training(*, user, job_id: int) -> TrainingJob:
    """Start an identical run: same config, hence the same script and hash."""
    original = job_for(user, job_id)
    return start_training(
        user=user, spec=spec_of(original), as_baseline=original.is_baseline, rerun_of=original
    )


def cancel_training(*, user, job_id: int, confirm: bool = False) -> TrainingJob:
    """Stop a job on whatever platform runs it (see jobs.runs.cancel)."""
    job = job_for(user, job_id)
    if job.is_terminal:
        raise Conflict(f"Job {job.pk} already {job.status}; nothing to cancel.")
    cancel_run(user=user, job=job, confirm=confirm)
    job.refresh_from_db()
    return job


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
    for point_spec in specs:  # every point is checked before the first one reserves
        adapter_for(point_spec.platform)
        check_plan_allows(user=user, spec=point_spec)
    # Each point fits on its own; together they must fit too.
    quotas.check_artifact_storage(
        user=user,
        adding_bytes=sum(expected_artifact_bytes(point_spec) for point_spec in specs),
        what=f"this sweep's {len(specs)} runs",
    )
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
    try:
        return spec.with_changes(
            ast_config={**spec.ast_config.model_dump(), **ast}, **fields, **named
        )
    except InvalidInput as exc:
        raise InvalidInput(
            f"Sweep point {point}: {exc.message}", fields={"grid": [exc.message]}
        ) from exc
