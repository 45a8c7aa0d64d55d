"""Tools that start, follow and stop training runs and sweeps."""

from typing import Annotated, Literal

from mcp.server.mcpserver import Context
from pydantic import Field, StrictBool

from asthub_spec import SweepRequest
from jobs import run_logs, services
from jobs.events import channel_for
from jobs.monitoring import monitor_training as monitor
from jobs.selectors import jobs_for
from jobs.spec import JobSpec, parse_sweep
from mcp_gateway import schemas
from mcp_gateway.calls import call_as_user
from mcp_gateway.declare import CANCEL, READ, START, hub_tool
from mcp_gateway.params import JobId, WaitSeconds
from mcp_gateway.spec_params import spec_arguments, takes_spec_fields
from mcp_gateway.waiting import wait_until


@hub_tool("jobs:write", START, "Start AST training")
@takes_spec_fields()
async def start_training(**spec) -> schemas.StartedTraining:
    """Start one Adaptive Sparse Training run and return at once with its job id.

    Use when the user asks to train a model. Data sets and models come from the
    catalog (list_catalog finds them). The run is queued, then trains in the
    background; follow it with monitor_training (wait_seconds to watch it live).
    Costs one of the plan's monthly jobs and one concurrent slot (two with
    with_baseline). Refused with a clear message, before anything is spent, for an
    unknown data set or model, one the platform cannot reach, hardware or a model the
    plan does not allow, over quota, or a missing platform credential.
    """

    def start(user):
        job = services.start_training(user=user, spec=JobSpec.from_dict(spec_arguments(spec)))
        baseline = job.paired_with if job.paired_with_id else None
        return schemas.StartedTraining(
            job=schemas.JobSummary.of(job),
            baseline=schemas.JobSummary.of(baseline) if baseline else None,
            next_step=f"Call monitor_training with job_id={job.pk} (and wait_seconds to "
            "follow it until it finishes).",
        )

    return await call_as_user(start)


@hub_tool("jobs:read", READ, "Check a training spec")
@takes_spec_fields()
async def check_training(**spec) -> schemas.SpecCheckOut:
    """Check what start_training would be given, without starting anything or spending
    quota: the data set and model against the catalog, the platform's reach and
    hardware, and the plan's limits. Answers what would run (the data set as the
    platform gets it, the engine's full config); refusals read as start_training's."""

    def check(user):
        checked = services.check_training(user=user, spec=JobSpec.from_dict(spec_arguments(spec)))
        return schemas.SpecCheckOut(**checked.check_report())

    return await call_as_user(check)


@hub_tool("jobs:read", READ, "Monitor a training run")
async def monitor_training(
    job_id: JobId, ctx: Context, wait_seconds: WaitSeconds = 0
) -> schemas.Progress:
    """How a run is doing: status, epoch, validation accuracy, AST activation rate,
    measured compute/energy savings, cost so far and ETA.

    Free to call (reads only). With wait_seconds it follows the run live and returns at
    a terminal state (succeeded, failed, cancelled) or at the timeout, whichever is
    first; call again to keep following.
    """
    reported: set[tuple[str, int]] = set()

    async def report(progress: schemas.Progress) -> None:
        marker = (progress.status, progress.epoch)
        if wait_seconds and marker not in reported:
            reported.add(marker)
            accuracy = progress.val_accuracy
            await ctx.report_progress(
                progress.epoch,
                progress.epochs,
                f"{progress.status}: epoch {progress.epoch}/{progress.epochs}"
                + (f", accuracy {accuracy:.3f}" if accuracy else ""),
            )

    progress, waited = await wait_until(
        lambda user: schemas.Progress.of(monitor(user=user, job_id=job_id, include_history=False)),
        done=lambda progress: progress.finished,
        seconds=wait_seconds,
        channel=channel_for(job_id),
        on_read=report,
    )
    return progress.model_copy(update={"waited_seconds": round(waited, 2)})


@hub_tool("jobs:read", READ, "Read a training run's log")
async def get_training_logs(
    job_id: JobId,
    tail: Annotated[
        int, Field(ge=1, le=run_logs.MAX_TAIL, description="How many of the last lines.")
    ] = run_logs.DEFAULT_TAIL,
) -> schemas.TrainingLog:
    """The last lines of a run's log: the engine's output (local runs), the kernel's log
    (Kaggle) or the job's log (Hugging Face), secrets redacted. Use it to see why a run
    failed or what it is doing when monitor_training's figures are not enough. Free
    (reads only); a remote log is re-read from the platform at most every few seconds."""

    def read(user):
        page = run_logs.read_run_log(user=user, job_id=job_id, tail=tail)
        return schemas.TrainingLog(
            job_id=page.job_id, lines=page.lines, complete=page.complete, source=page.source
        )

    return await call_as_user(read)


@hub_tool("jobs:read", READ, "List training jobs")
async def list_jobs(
    status: Literal["queued", "launching", "running", "succeeded", "failed", "cancelled"]
    | None = None,
    limit: Annotated[int, Field(ge=1, le=200)] = 50,
) -> schemas.JobList:
    """The user's training jobs, newest first, optionally only those in one status.
    Use to find a job id or to see what is running. Free (reads only)."""

    def read(user):
        jobs = [schemas.JobSummary.of(job) for job in jobs_for(user, status=status)[:limit]]
        return schemas.JobList(jobs=jobs, count=len(jobs))

    return await call_as_user(read)


@hub_tool("jobs:write", CANCEL, "Cancel a training run")
async def cancel_training(
    job_id: JobId,
    confirm: Annotated[
        StrictBool,
        Field(
            description="Kaggle cannot stop a running kernel: true stops following it "
            "here while it runs on (and spends GPU quota) until it ends. Only after the "
            "user agreed to that."
        ),
    ] = False,
) -> schemas.JobSummary:
    """Stop a queued or running job; it ends as cancelled and frees its concurrent slot.
    The month's job count is not refunded. Ask the user before cancelling. A running
    Kaggle run cannot be stopped through Kaggle's API: the first call answers with an
    error saying so and where to stop it; call again with confirm=true if the user
    wants the hub to stop following it anyway."""

    def cancel(user):
        job = services.cancel_training(user=user, job_id=job_id, confirm=confirm)
        return schemas.JobSummary.of(job)

    return await call_as_user(cancel)


@hub_tool("jobs:write", START, "Start a hyper-parameter sweep")
@takes_spec_fields(exclude=("name", "with_baseline"))
async def start_sweep(
    grid: Annotated[
        dict[str, list[float | int | str]],
        Field(description=SweepRequest.model_fields["grid"].description),
    ],
    name: Annotated[str, Field(max_length=100, description="The sweep's name.")] = "",
    **spec,
) -> schemas.SweepOut:
    """Start one AST run per point of a grid (several architectures at once, or AST
    settings) on the data set, platform and settings given. Each point counts as one
    of the month's jobs at once; as many run in parallel as the plan allows and the
    rest wait (waiting_for_slot) and launch as runs finish. Every point is checked
    against the catalog and the plan before any is started. Compare the points later
    with list_jobs / compare_runs."""

    def start(user):
        parsed, parsed_grid, sweep_name = parse_sweep(
            {"name": name, "spec": spec_arguments(spec), "grid": grid}
        )
        sweep = services.start_sweep(user=user, spec=parsed, grid=parsed_grid, name=sweep_name)
        return schemas.SweepOut(
            sweep_id=sweep.pk,
            name=sweep.name,
            job_ids=list(sweep.jobs.order_by("id").values_list("id", flat=True)),
            grid=sweep.grid,
        )

    return await call_as_user(start)


TOOLS = [
    start_training,
    check_training,
    monitor_training,
    get_training_logs,
    list_jobs,
    cancel_training,
    start_sweep,
]
