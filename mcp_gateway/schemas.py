"""Outputs of the MCP tools: pydantic models, so clients get an outputSchema and
structuredContent. Each is filled from the shared presenter of its resource
(jobs.presenters), so its field names are REST's and the portal's."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from jobs.presenters.job import present_job
from jobs.presenters.publication import present_publication
from jobs.presenters.share_link import present_share_link
from jobs.presenters.submission import present_submission


class JobSummary(BaseModel):
    job_id: int
    name: str
    status: str
    platform: str
    dataset: str
    model: str
    epochs: int
    hardware: str
    is_baseline: bool
    baseline_job_id: int | None
    sweep_id: int | None
    failure_reason: str
    waiting_for_slot: bool = Field(
        False, description="Queued behind the plan's concurrency limit; starts on its own."
    )
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job) -> "JobSummary":
        return cls.model_validate(present_job(job))


class StartedTraining(BaseModel):
    job: JobSummary
    baseline: JobSummary | None = Field(
        None, description="The paired plain-training run, when with_baseline was asked."
    )
    next_step: str


class JobList(BaseModel):
    jobs: list[JobSummary]
    count: int


class TrainingLog(BaseModel):
    job_id: int
    lines: list[str] = Field(description="The log's last lines, oldest first, secrets redacted.")
    complete: bool = Field(description="True once the run has ended: the log will not grow.")
    source: Literal["engine", "kaggle", "huggingface"] = Field(
        description="engine: the hub's own worker ran it; else the platform's log."
    )


class OutputFile(BaseModel):
    name: str
    size_bytes: int


class Progress(BaseModel):
    job_id: int
    status: str
    failure_reason: str
    epoch: int
    epochs: int
    val_accuracy: float | None = Field(description="Validation accuracy at the latest epoch.")
    train_loss: float | None
    activation_rate: float | None
    threshold: float | None = Field(description="The AST gate's current threshold.")
    compute_savings: float | None
    energy_savings: float | None = Field(
        description="The engine's estimate of 1 - training energy / plain training's "
        "(validation excluded); None while the run is too short to estimate."
    )
    energy_kwh: float | None
    train_energy_kwh: float | None = Field(
        description="The training share of energy_kwh (validation excluded), once the run ended."
    )
    energy_source: str | None = Field(
        description="measured (hardware counters) or estimated (time x device power)."
    )
    energy_saved: float | None = Field(
        description="The run's energy saving as every page states it: 1 - training energy / "
        "plain training's, against the paired baseline run once both finished, else the "
        "engine's estimate; None when too short to estimate."
    )
    energy_saved_basis: str | None = Field(description="What energy_saved was measured against.")
    cost_usd: float | None
    cost_saved_usd: float | None
    cost_basis: str = Field(description="How the cost was worked out.")
    eta_minutes: float | None
    updated_at: datetime | None = Field(description="When the latest epoch was recorded.")
    finished: bool = Field(description="True once the job is succeeded, failed or cancelled.")
    waited_seconds: float = 0.0
    outputs: list[OutputFile] = Field(
        default_factory=list,
        description="The run's output files once it has finished (a competition run's "
        "submission.csv is what submit_to_competition sends).",
    )
    accuracy: float | None = Field(
        description="Deprecated: the old name of val_accuracy, kept for one release."
    )
    last_update: datetime | None = Field(
        description="Deprecated: the old name of updated_at, kept for one release."
    )

    @classmethod
    def of(cls, progress: dict[str, Any]) -> "Progress":
        """From the shared progress presenter's answer (jobs.presenters.progress)."""
        old_names = {"accuracy": progress["val_accuracy"], "last_update": progress["updated_at"]}
        return cls.model_validate(progress | old_names)


class ComparisonOut(BaseModel):
    ast_run_id: int
    baseline_run_id: int | None
    estimated: bool = Field(description="True when no baseline run exists and it was estimated.")
    accuracy_diff: float | None
    energy_savings: float | None = Field(
        description="1 - AST training energy / plain training's (validation excluded); "
        "None when the run is too short to estimate and has no baseline run."
    )
    energy_basis: str = Field(
        description="Where plain training's energy came from: a baseline run or the "
        "engine's estimate."
    )
    compute_savings: float
    time_savings_hours: float | None
    cost_savings_usd: float | None
    co2_avoided_kg: float | None
    details: dict[str, Any]
    markdown: str
    latex: str = Field(description="The comparison as a LaTeX table (booktabs), for a paper.")

    @classmethod
    def of(cls, comparison) -> "ComparisonOut":
        details = comparison.as_dict()
        headline = set(cls.model_fields) - {"details", "markdown", "latex"}
        return cls(
            **{key: details[key] for key in headline},
            details=details,
            markdown=comparison.to_markdown(),
            latex=comparison.to_latex(),
        )


class ModelCardOut(BaseModel):
    job_id: int
    template: str
    markdown: str
    badges: list[Any]
    plots: list[str]


class SweepOut(BaseModel):
    sweep_id: int
    name: str
    job_ids: list[int]
    grid: dict[str, Any]


class PlatformSource(BaseModel):
    fetch: str = Field(description="What that platform is handed: a name, kaggle:..., hf:...")
    downloads: bool = Field(description="Fetched from the internet when the run starts.")
    note: str


class CatalogNeeds(BaseModel):
    gpu: bool
    packages: list[str]
    min_plan: str


class CatalogEntryOut(BaseModel):
    name: str = Field(description="What to pass as dataset or model (a pattern: fill it in).")
    kind: Literal["dataset", "model"]
    family: str
    summary: str
    pattern: bool
    platforms: dict[str, PlatformSource] = Field(description="Where it trains, and how.")
    unavailable: dict[str, str] = Field(description="Platforms that cannot run it, and why.")
    needs: CatalogNeeds
    params_millions: float | None
    fixed_input_size: int | None = Field(description="A model that takes only this image side.")
    modality: str | None = Field(description="A data set's samples: image or signal.")


class CatalogOut(BaseModel):
    entries: list[CatalogEntryOut]
    count: int = Field(description="How many entries matched (entries holds up to limit).")
    generated_for: dict[str, str] = Field(description="Package versions the model list is of.")


class SpecCheckOut(BaseModel):
    spec: dict[str, Any] = Field(
        description="The spec as it would run (hardware named as the platform names it)."
    )
    dataset: CatalogEntryOut
    model: CatalogEntryOut
    engine_config: dict[str, Any] = Field(description="The engine's full config for the run.")


class UsageLimit(BaseModel):
    label: str
    limit: Any
    unlimited: bool
    used: int | float | None = Field(description="A count, or GB for artifact storage.")
    unit: str


class BillingOut(BaseModel):
    configured: bool = Field(description="False: this hub does not bill; its operator sets plans.")
    status: str = Field(description="Stripe's subscription status (active, past_due, ...).")
    current_period_end: str | None
    cancel_at_period_end: bool = Field(description="Cancelled: the plan ends at the period end.")
    grace_ends_at: str | None = Field(description="past_due: Pro lasts until then.")
    subscribed: bool


class UsageOut(BaseModel):
    plan: str
    plan_title: str
    period_start: str
    resets_at: str
    limits: dict[str, UsageLimit]
    hardware: list[str] | str
    priority_queue: bool
    storage_bytes: int = Field(description="Bytes held in the artifact store.")
    billing: BillingOut
    upgrade_url: str | None = Field(
        description="Free accounts on a billing hub: the page where the person upgrades."
    )


class CredentialOut(BaseModel):
    provider: str
    label: str
    kind: str
    last_four: str = Field(description="Last four characters, to tell credentials apart.")
    external_username: str
    created_at: datetime
    last_used_at: datetime | None

    @classmethod
    def of(cls, credential) -> "CredentialOut":
        return cls.model_validate(credential, from_attributes=True)


class CredentialList(BaseModel):
    credentials: list[CredentialOut]
    providers_connected: list[str]


class ShareLinkOut(BaseModel):
    share_id: int
    label: str
    masked: str = Field(description="asthub_share_… and the last four characters.")
    job_ids: list[int]
    active: bool
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, share) -> "ShareLinkOut":
        return cls.model_validate(present_share_link(share))


class ShareLinkCreated(BaseModel):
    link: ShareLinkOut
    token: str = Field(description="The read-only share token; shown this once only.")
    page_url: str = Field(description="Public page on the hub that charts the jobs live.")
    api_url: str = Field(description="Public JSON of the jobs' status and metrics.")


class ShareLinkList(BaseModel):
    links: list[ShareLinkOut]
    count: int


class PublishedFile(BaseModel):
    name: str
    size: int
    sha256: str


class PublicationOut(BaseModel):
    publication_id: int
    job_id: int | None
    from_platform: str
    source_ref: str
    to_platform: str
    target_ref: str
    private: bool
    status: Literal["pending", "running", "succeeded", "failed"]
    url: str = Field(description="Where the model landed (set once succeeded).")
    published_ref: str
    revision: str = Field(description="The commit or version that was created.")
    files: list[PublishedFile]
    failure_reason: str
    created_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, publication) -> "PublicationOut":
        return cls.model_validate(present_publication(publication))


class PublicationList(BaseModel):
    publications: list[PublicationOut]


class DashboardOut(BaseModel):
    space_id: str
    url: str = Field(description="The Space's page on the Hub.")
    revision: str = Field(description="The commit holding app.py.")
    share_id: int = Field(description="Revoke this share link to stop the feed.")
    share_page_url: str = Field(description="The same runs as a public page on this hub.")


class CollectionItemOut(BaseModel):
    repo_id: str
    type: str
    note: str | None


class CollectionOut(BaseModel):
    slug: str
    url: str = Field(description="The collection's page on the Hub.")
    title: str
    private: bool = Field(description="Only you (and your organisation) can see it.")
    items: list[CollectionItemOut]


class LeaderboardListingOut(BaseModel):
    job_id: int
    listed: bool
    display_name: str = Field(description='Shown on the board; empty means "anonymous".')
    listed_at: datetime | None
    published: bool = Field(description="Listed runs appear on the board once published.")


class LeaderboardOut(BaseModel):
    ranked_by: str
    datasets: list[dict[str, Any]] = Field(
        description="Per data set: entries ranked by accuracy per kWh (rank, display_name, "
        "model, accuracy, energy_kwh, energy_source, energy_saved_kwh, energy_savings, "
        "saving_basis, model_url)."
    )


class SubmissionOut(BaseModel):
    submission_id: int
    job_id: int
    competition: str
    file_name: str
    status: Literal["pending", "complete", "error"] = Field(
        description="pending until Kaggle has scored it; complete carries public_score."
    )
    public_score: str
    failure_reason: str
    url: str = Field(description="The competition's submissions page.")

    @classmethod
    def of(cls, submission) -> "SubmissionOut":
        return cls.model_validate(present_submission(submission))
