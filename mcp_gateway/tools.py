"""The tools an assistant calls. Each is thin: arguments → one service or selector for the
token's user (`call_as_user`) → a pydantic answer (structuredContent)."""

import asyncio
import time
from typing import Annotated, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.types import ToolAnnotations
from pydantic import Field, StrictBool

from asthub_site.ids import MAX_ID
from asthub_spec import Platform, SweepRequest
from mcp_gateway import schemas
from mcp_gateway.calls import call_as_user
from mcp_gateway.scopes import requires
from mcp_gateway.spec_params import spec_arguments, takes_spec_fields
from mcp_gateway.strict_tools import strict

READ = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)
START = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False)
CANCEL = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True)
PUBLISH = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
)
MAX_WAIT_SECONDS = 600
POLL_SECONDS = 1.0

JobId = Annotated[
    int,
    Field(ge=1, le=MAX_ID, description="The job's id, as start_training or list_jobs gave it."),
]


def _progress(user, job_id: int) -> schemas.Progress:
    from jobs.models import TERMINAL_STATUSES
    from jobs.monitoring import monitor_training

    answer = monitor_training(user=user, job_id=job_id, include_history=False)
    return schemas.Progress(**answer, finished=answer["status"] in TERMINAL_STATUSES)


def _publication_reader(publication_id: int):
    def read(user):
        from jobs.publishing.services import publication_for

        return schemas.PublicationOut.of(publication_for(user, publication_id))

    return read


def register(server: MCPServer) -> None:
    def tool(scope: str, annotations: ToolAnnotations, title: str):
        def wrap(fn):
            requires(scope, fn.__name__)
            server.tool(title=title, annotations=annotations)(fn)
            # The SDK has no hook for this: its registry is replaced with the stricter tool.
            tools = server._tool_manager._tools
            tools[fn.__name__] = strict(tools[fn.__name__])
            return fn

        return wrap

    @tool("jobs:write", START, "Start AST training")
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

        def run(user):
            from jobs.services import start_training as start
            from jobs.spec import JobSpec

            job = start(user=user, spec=JobSpec.from_dict(spec_arguments(spec)))
            baseline = job.paired_with if job.paired_with_id else None
            return schemas.StartedTraining(
                job=schemas.JobSummary.of(job),
                baseline=schemas.JobSummary.of(baseline) if baseline else None,
                next_step=f"Call monitor_training with job_id={job.pk} (and wait_seconds to "
                "follow it until it finishes).",
            )

        return await call_as_user(run)

    @tool("jobs:read", READ, "Check a training spec")
    @takes_spec_fields()
    async def check_training(**spec) -> schemas.SpecCheckOut:
        """Check what start_training would be given, without starting anything or spending
        quota: the data set and model against the catalog, the platform's reach and
        hardware, and the plan's limits. Answers what would run (the data set as the
        platform gets it, the engine's full config); refusals read as start_training's."""

        def run(user):
            from jobs.services import check_training as check
            from jobs.spec import JobSpec

            checked = check(user=user, spec=JobSpec.from_dict(spec_arguments(spec)))
            return schemas.SpecCheckOut(**checked.check_report())

        return await call_as_user(run)

    @tool("jobs:read", READ, "Monitor a training run")
    async def monitor_training(
        job_id: JobId,
        ctx: Context,
        wait_seconds: Annotated[
            float,
            Field(
                ge=0,
                le=MAX_WAIT_SECONDS,
                description="0: answer now. Otherwise wait up to this long, sending progress "
                "notifications per epoch, and answer when the job finishes or time is up.",
            ),
        ] = 0,
    ) -> schemas.Progress:
        """How a run is doing: status, epoch, validation accuracy, AST activation rate,
        measured compute/energy savings, cost so far and ETA.

        Free to call (reads only). With wait_seconds it follows the run live and returns at
        a terminal state (succeeded, failed, cancelled) or at the timeout, whichever is
        first; call again to keep following.
        """
        started = time.monotonic()
        progress = await call_as_user(lambda user: _progress(user, job_id))
        seen = None
        while True:
            marker = (progress.status, progress.epoch)
            if wait_seconds and marker != seen:
                seen = marker
                await ctx.report_progress(
                    progress.epoch,
                    progress.epochs,
                    f"{progress.status}: epoch {progress.epoch}/{progress.epochs}"
                    + (f", accuracy {progress.accuracy:.3f}" if progress.accuracy else ""),
                )
            waited = time.monotonic() - started
            if progress.finished or waited + POLL_SECONDS > wait_seconds:
                return progress.model_copy(update={"waited_seconds": round(waited, 2)})
            await asyncio.sleep(POLL_SECONDS)
            progress = await call_as_user(lambda user: _progress(user, job_id), count=False)

    @tool("jobs:read", READ, "List training jobs")
    async def list_jobs(
        status: Literal["queued", "launching", "running", "succeeded", "failed", "cancelled"]
        | None = None,
        limit: Annotated[int, Field(ge=1, le=200)] = 50,
    ) -> schemas.JobList:
        """The user's training jobs, newest first, optionally only those in one status.
        Use to find a job id or to see what is running. Free (reads only)."""

        def run(user):
            from jobs.selectors import jobs_for

            jobs = [schemas.JobSummary.of(job) for job in jobs_for(user, status=status)[:limit]]
            return schemas.JobList(jobs=jobs, count=len(jobs))

        return await call_as_user(run)

    @tool("jobs:write", CANCEL, "Cancel a training run")
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

        def run(user):
            from jobs.services import cancel_training as cancel

            return schemas.JobSummary.of(cancel(user=user, job_id=job_id, confirm=confirm))

        return await call_as_user(run)

    @tool("jobs:read", READ, "Compare an AST run with its baseline")
    async def compare_runs(
        ast_run_id: JobId,
        baseline_run_id: Annotated[
            int | None,
            Field(description="A plain-training run; omit to use the paired one or estimate."),
        ] = None,
    ) -> schemas.ComparisonOut:
        """Accuracy difference and measured compute, energy, time, cost and CO2 savings of
        an AST run against its baseline (the given run, the paired one, or an estimate from
        the run's own counts, marked estimated). Free (reads only)."""

        def run(user):
            from jobs.reports import compare

            comparison = compare(user=user, ast_run_id=ast_run_id, baseline_run_id=baseline_run_id)
            data = comparison.as_dict()
            fields = set(schemas.ComparisonOut.model_fields) - {"details", "markdown"}
            return schemas.ComparisonOut(
                **{key: data[key] for key in fields},
                details=data,
                markdown=comparison.to_markdown(),
            )

        return await call_as_user(run)

    @tool("models:write", PUBLISH, "Publish a model")
    async def sync_model(
        ctx: Context,
        to_platform: Annotated[
            Platform,
            Field(description="huggingface (Hub repo), kaggle (Kaggle Models) or local."),
        ] = "huggingface",
        job_id: Annotated[
            int | None, Field(description="A succeeded run to publish (its weights and card).")
        ] = None,
        from_platform: Annotated[
            Platform | None,
            Field(description="Where the model is, when copying by source_ref, not job_id."),
        ] = None,
        source_ref: Annotated[
            str, Field(description="Hub repo id (alice/model) or Kaggle kernel (owner/slug).")
        ] = "",
        target_ref: Annotated[
            str,
            Field(description="Hub repo id or Kaggle model handle; empty derives one."),
        ] = "",
        private: StrictBool = True,
        wait_seconds: Annotated[
            int, Field(ge=0, le=MAX_WAIT_SECONDS, description="Wait up to this for the end.")
        ] = 60,
    ) -> schemas.PublicationOut:
        """Publish a model: a succeeded run's weights, configs, metrics, plots and model card
        (with CO2 and AST metadata) to the Hugging Face Hub or Kaggle Models, or copy a
        model between platforms (from_platform + source_ref). Private unless private=false.
        Returns the publication; status "succeeded" carries the URL and commit/version."""

        def start(user):
            from jobs.publishing.services import sync_model as sync

            return schemas.PublicationOut.of(
                sync(
                    user=user,
                    to_platform=to_platform,
                    job_id=job_id,
                    from_platform=from_platform,
                    source_ref=source_ref,
                    target_ref=target_ref,
                    private=private,
                )
            )

        publication = await call_as_user(start)
        deadline = time.monotonic() + wait_seconds
        while publication.status in {"pending", "running"} and time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            publication = await call_as_user(_publication_reader(publication.publication_id))
            await ctx.report_progress(0, None, f"publication {publication.status}")
        return publication

    @tool("jobs:write", PUBLISH, "Submit to a Kaggle competition")
    async def submit_to_competition(
        run_id: JobId,
        competition: Annotated[str, Field(description="As in kaggle.com/competitions/NAME.")],
        file: Annotated[str, Field(description="One of the run's artifacts, e.g. submission.csv.")],
        ctx: Context,
        message: Annotated[str, Field(max_length=500)] = "",
        wait_seconds: Annotated[
            float, Field(ge=0, le=MAX_WAIT_SECONDS, description="Wait up to this for the score.")
        ] = 60,
    ) -> schemas.SubmissionOut:
        """Submit a file from a succeeded run's outputs to a Kaggle competition with the
        user's Kaggle account, and return the public score once Kaggle has scored it (or
        the pending submission when wait_seconds runs out; call again with list_jobs /
        this tool's answer id to follow). Fails clearly when the competition's rules were
        not accepted or the competition does not exist. Counts against Kaggle's daily
        submission limit, so ask the user first."""

        def start(user):
            from jobs.competitions import submit_to_competition as submit

            return schemas.SubmissionOut.of(
                submit(user=user, run_id=run_id, competition=competition, file=file,
                       message=message)
            )  # fmt: skip

        def read(submission_id):
            def run(user):
                from jobs.competitions import submission_for

                return schemas.SubmissionOut.of(submission_for(user, submission_id))

            return run

        submission = await call_as_user(start)
        deadline = time.monotonic() + wait_seconds
        while submission.status == "pending" and time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            submission = await call_as_user(read(submission.submission_id), count=False)
            await ctx.report_progress(0, None, f"submission {submission.status}")
        return submission

    @tool("jobs:read", READ, "List publications")
    async def list_publications(
        job_id: Annotated[
            int | None, Field(ge=1, le=MAX_ID, description="Only this run's.")
        ] = None,
        limit: Annotated[int, Field(ge=1, le=100)] = 20,
    ) -> schemas.PublicationList:
        """Your model publications (newest first) with status, URL and commit."""

        def run(user):
            from jobs.models import Publication

            publications = Publication.objects.for_user(user)
            if job_id is not None:
                publications = publications.filter(job_id=job_id)
            return schemas.PublicationList(
                publications=[schemas.PublicationOut.of(p) for p in publications[:limit]]
            )

        return await call_as_user(run)

    @tool("models:write", START, "Create a model card")
    async def create_model_card(
        run_id: JobId,
        template: Literal["standard", "competition", "research"] = "standard",
    ) -> schemas.ModelCardOut:
        """Render a Hugging Face model card (markdown, sustainability badges, plots) for a
        succeeded AST run, with its comparison to the baseline. Does not publish anything;
        free against the plan."""

        def run(user):
            from jobs.reports import create_model_card as create

            card = create(user=user, run_id=run_id, template=template)
            return schemas.ModelCardOut(
                job_id=card.job_id,
                template=card.template,
                markdown=card.markdown,
                badges=list(card.badges),
                plots=[str(plot) for plot in card.plots],
            )

        return await call_as_user(run)

    @tool("jobs:write", START, "Start a hyper-parameter sweep")
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

        def run(user):
            from jobs.services import start_sweep as start
            from jobs.spec import parse_sweep

            parsed, parsed_grid, sweep_name = parse_sweep(
                {"name": name, "spec": spec_arguments(spec), "grid": grid}
            )
            sweep = start(user=user, spec=parsed, grid=parsed_grid, name=sweep_name)
            return schemas.SweepOut(
                sweep_id=sweep.pk,
                name=sweep.name,
                job_ids=list(sweep.jobs.order_by("id").values_list("id", flat=True)),
                grid=sweep.grid,
            )

        return await call_as_user(run)

    @tool("jobs:read", READ, "Find data sets and models")
    async def list_catalog(
        query: Annotated[
            str, Field(max_length=100, description="Text in the name or summary, e.g. resnet.")
        ] = "",
        kind: Literal["dataset", "model"] | None = None,
        platform: Platform | None = None,
        limit: Annotated[int, Field(ge=1, le=200)] = 50,
    ) -> schemas.CatalogOut:
        """Find the data sets and models start_training and start_sweep accept: built-ins,
        torchvision sets, benchmark names such as imagenet-100, the kaggle:/competition:/hf:
        forms, and every torchvision and timm architecture. Each entry says where each
        platform gets it, what it needs (a GPU, a package, a plan) and why a platform
        cannot run it. Use it before start_training when unsure of a name."""

        def run(user):
            from jobs.catalog import search_catalog
            from jobs.catalog.models import generated_for

            found = search_catalog(kind=kind, platform=platform, query=query)
            return schemas.CatalogOut(
                entries=[schemas.CatalogEntryOut(**entry.as_dict()) for entry in found[:limit]],
                count=len(found),
                generated_for=generated_for(),
            )

        return await call_as_user(run)

    @tool("billing:read", READ, "Plan usage")
    async def get_usage() -> schemas.UsageOut:
        """The user's plan, its limits, what has been used this month and when it resets,
        artifact storage and the subscription's state. Call before starting work that may
        exceed the plan. When `upgrade_url` is set, give it to the person: upgrading is
        done by them in a browser, never by a tool."""

        def run(user):
            from billing.selectors import usage_for

            return schemas.UsageOut(**usage_for(user).as_dict())

        return await call_as_user(run)

    @tool("jobs:read", READ, "Connected platforms")
    async def list_credentials() -> schemas.CredentialList:
        """Which platform accounts (Kaggle, Hugging Face) the user has connected, by label;
        never the secrets. Use before starting a Kaggle or Hugging Face run."""

        def run(user):
            from accounts.selectors import credentials_for

            rows = [
                schemas.CredentialOut(
                    provider=c.provider,
                    label=c.label,
                    kind=c.kind,
                    last_four=c.last_four,
                    external_username=c.external_username,
                    created_at=c.created_at,
                    last_used_at=c.last_used_at,
                )
                for c in credentials_for(user)
            ]
            return schemas.CredentialList(
                credentials=rows, providers_connected=sorted({c.provider for c in rows})
            )

        return await call_as_user(run)

    @tool("models:write", PUBLISH, "Gather models into a Hub collection")
    async def create_collection(
        title: Annotated[str, Field(min_length=1, max_length=60, description="e.g. AST-CIFAR100")],
        job_ids: Annotated[
            list[int] | None, Field(description="Runs already published to the Hub.")
        ] = None,
        repo_ids: Annotated[
            list[str] | None, Field(description="Hub model repos (namespace/name).")
        ] = None,
        description: str = "",
        private: StrictBool = False,
    ) -> schemas.CollectionOut:
        """Gather published runs (by job id) and Hub models (by repo id) into a Hugging Face
        collection in your namespace, e.g. a model zoo "AST-CIFAR100". Reuses a collection
        with the same title; adding a model already there is fine. Runs must have been
        published with sync_model first."""

        def run(user):
            from jobs.platforms.huggingface.collections import create_collection as create

            made = create(
                user=user,
                title=title,
                job_ids=job_ids,
                repo_ids=repo_ids,
                description=description,
                private=private,
            )
            return schemas.CollectionOut(**made.as_dict())

        return await call_as_user(run)

    @tool("jobs:write", START, "Create a share link")
    async def create_share_link(
        job_ids: Annotated[
            list[int], Field(min_length=1, max_length=50, description="Your jobs to share.")
        ],
        label: Annotated[str, Field(max_length=64)] = "",
    ) -> schemas.ShareLinkCreated:
        """Create a read-only link that lets anyone (no account) watch the status and
        per-epoch metrics of these jobs: a live public page on the hub and a JSON API, e.g.
        for a dashboard or a paper. It shows nothing else (no email, config or credentials).
        The token is returned once; tell the user it is public to whoever holds it and can
        be revoked with revoke_share_link."""

        def run(user):
            from jobs.sharing.services import create_share_token
            from jobs.sharing.urls_for import share_urls

            share, raw = create_share_token(user=user, job_ids=job_ids, label=label)
            return schemas.ShareLinkCreated(
                link=schemas.ShareLinkOut.of(share), token=raw, **share_urls(raw)
            )

        return await call_as_user(run)

    @tool("jobs:read", READ, "List share links")
    async def list_share_links(
        include_revoked: StrictBool = False,
    ) -> schemas.ShareLinkList:
        """The user's share links (masked, never the token), with the jobs each covers and
        when each was last read. Free (reads only)."""

        def run(user):
            from jobs.sharing.selectors import share_tokens_for

            shares = share_tokens_for(user, include_revoked=include_revoked)
            links = [schemas.ShareLinkOut.of(share) for share in shares]
            return schemas.ShareLinkList(links=links, count=len(links))

        return await call_as_user(run)

    @tool("jobs:write", CANCEL, "Revoke a share link")
    async def revoke_share_link(
        share_id: Annotated[
            int, Field(ge=1, le=MAX_ID, description="The link's id from list_share_links.")
        ],
    ) -> schemas.ShareLinkOut:
        """Revoke a share link at once: its public page and API answer "not found" from
        then on (a dashboard Space using it stops updating). Cannot be undone."""

        def run(user):
            from jobs.sharing.services import revoke_share_token

            return schemas.ShareLinkOut.of(revoke_share_token(user=user, share_id=share_id))

        return await call_as_user(run)

    @tool("jobs:write", START, "List a run on the energy leaderboard")
    async def set_leaderboard_listing(
        job_id: JobId,
        listed: Annotated[StrictBool, Field(description="True to list, False to take it off.")],
        display_name: Annotated[
            str, Field(max_length=40, description='Public name; empty shows "anonymous".')
        ] = "",
    ) -> schemas.LeaderboardListingOut:
        """Opt one of the user's succeeded AST runs in to (or out of) the hub's public energy
        leaderboard. Off by default; ask the user before listing. The board shows the data
        set, model, accuracy, energy and savings under the display name, never the e-mail,
        and only once the run has been published (sync_model)."""

        def run(user):
            from jobs.leaderboard.listing import listing_state
            from jobs.leaderboard.services import set_leaderboard_listing as set_listing
            from jobs.selectors import job_for

            entry = set_listing(user=user, job_id=job_id, listed=listed, display_name=display_name)
            return schemas.LeaderboardListingOut(**listing_state(job_for(user, job_id), entry))

        return await call_as_user(run)

    @tool("jobs:read", READ, "Energy leaderboard")
    async def get_leaderboard(
        dataset: Annotated[str, Field(description="Only this data set; empty for all.")] = "",
    ) -> schemas.LeaderboardOut:
        """The public energy leaderboard: published AST runs (everyone's, opted in by their
        owners) ranked per data set by accuracy per kWh, then energy saved against plain
        training. Free (reads only)."""

        def run(user):
            from jobs.leaderboard.selectors import leaderboard

            return schemas.LeaderboardOut(**leaderboard(dataset=dataset or None))

        return await call_as_user(run)

    @tool("models:write", PUBLISH, "Deploy a live dashboard Space")
    async def deploy_dashboard(
        job_ids: Annotated[list[int], Field(min_length=1, max_length=20)],
        space: Annotated[
            str, Field(description="Space name or namespace/name; default asthub-dashboard.")
        ] = "",
        private: StrictBool = False,
    ) -> schemas.DashboardOut:
        """Create or update a Gradio Space on Hugging Face that charts these runs live
        (accuracy, activation rate, energy savings), so anyone can watch a Kaggle or HF run.
        The Space reads this hub through a read-only share link for exactly these runs,
        kept as a Space secret; revoke_share_link(share_id) stops it. Public unless
        private=true."""

        def run(user):
            from jobs.sharing.dashboard_space import deploy_dashboard as deploy

            deployed = deploy(user=user, job_ids=job_ids, space=space, private=private)
            return schemas.DashboardOut(**deployed.as_dict())

        return await call_as_user(run)
