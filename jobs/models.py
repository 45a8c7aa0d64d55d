"""Training jobs, their per-epoch metrics, artifacts, model cards and sweeps."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import TenantQuerySet


class Platform(models.TextChoices):
    LOCAL = "local", "This hub's workers"
    KAGGLE = "kaggle", "Kaggle"
    HUGGINGFACE = "huggingface", "Hugging Face Jobs"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    LAUNCHING = "launching", "Launching"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


TERMINAL_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class Sweep(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=100, blank=True)
    spec = models.JSONField()
    grid = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name or f"Sweep {self.pk}"


class TrainingJob(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_jobs"
    )
    name = models.CharField(max_length=100, blank=True)
    platform = models.CharField(max_length=20, choices=Platform.choices, default=Platform.LOCAL)
    dataset = models.CharField(max_length=300)
    model = models.CharField(max_length=100)
    epochs = models.PositiveIntegerField()
    batch_size = models.PositiveIntegerField()
    learning_rate = models.FloatField()
    seed = models.IntegerField(default=0)
    hardware = models.CharField(max_length=40, default="cpu")
    ast_config = models.JSONField(default=dict)
    is_baseline = models.BooleanField(default=False)
    paired_with = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="paired_runs",
        help_text="For an AST run: its baseline run.",
    )
    sweep = models.ForeignKey(
        Sweep, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    rerun_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reruns"
    )
    auto_upload_hf = models.BooleanField(default=False)
    hf_repo = models.CharField(max_length=200, blank=True)

    # Reproducibility: exactly what ran.
    config = models.JSONField(help_text="The exact engine config.")
    engine_version = models.CharField(max_length=20)
    script_sha256 = models.CharField(max_length=64)

    status = models.CharField(
        max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    external_id = models.CharField(max_length=200, blank=True)
    failure_reason = models.TextField(blank=True)
    queue = models.CharField(max_length=40, blank=True)
    slot_period = models.DateField(help_text="The month whose quota this job counts against.")
    # False while a queued job waits for one of the plan's concurrency slots (several runs
    # started at once); it launches as soon as a slot frees up.
    holds_slot = models.BooleanField(default=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(null=True, blank=True)
    figures = models.JSONField(
        null=True,
        blank=True,
        editable=False,
        help_text="Derived from the metric points when one arrives or the run ends "
        "(jobs.figures), so a read is one query.",
    )
    # Remote runs: what the adapter keeps between polls (kernel version, log cursor), when
    # the next poll is due (later after a 429 or 5xx) and how many polls failed in a row.
    platform_state = models.JSONField(default=dict, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    poll_failures = models.PositiveIntegerField(default=0)
    last_poll_error = models.CharField(max_length=300, blank=True)
    # Local runs: who supervises the run and which engine process group it started, on
    # which host, so that cancel, the runtime limit, hub shutdown and the reconciler can
    # stop the engine even after the worker that started it is gone.
    supervisor_host = models.CharField(max_length=255, blank=True)
    supervisor_pid = models.PositiveIntegerField(null=True, blank=True)
    engine_host = models.CharField(max_length=255, blank=True)
    engine_pgid = models.PositiveIntegerField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return self.name or f"Job {self.pk}"

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class MetricPoint(models.Model):
    """One engine metric line (one epoch). Stored once per job and epoch."""

    job = models.ForeignKey(TrainingJob, on_delete=models.CASCADE, related_name="metric_points")
    epoch = models.PositiveIntegerField()
    data = models.JSONField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["job", "epoch"]
        constraints = [models.UniqueConstraint(fields=["job", "epoch"], name="one_point_per_epoch")]

    def __str__(self) -> str:
        return f"{self.job_id}@{self.epoch}"


class Artifact(models.Model):
    job = models.ForeignKey(TrainingJob, on_delete=models.CASCADE, related_name="artifacts")
    name = models.CharField(max_length=200)
    storage_key = models.CharField(max_length=400)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["job", "name"], name="unique_artifact")]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.name}"


class ModelCard(models.Model):
    job = models.ForeignKey(TrainingJob, on_delete=models.CASCADE, related_name="model_cards")
    template = models.CharField(max_length=20)
    markdown = models.TextField()
    badges = models.JSONField(default=list)
    plots = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.template} card for job {self.job_id}"


class PublicationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Publishing"
    SUCCEEDED = "succeeded", "Published"
    FAILED = "failed", "Failed"


class Publication(models.Model):
    """One `sync_model` call: a model copied from a source to a target platform."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="publications"
    )
    job = models.ForeignKey(
        TrainingJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="publications",
    )
    source_platform = models.CharField(max_length=20)
    source_ref = models.CharField(max_length=300, blank=True)
    target_platform = models.CharField(max_length=20)
    target_ref = models.CharField(max_length=300, blank=True)
    private = models.BooleanField(default=True)
    automatic = models.BooleanField(default=False, help_text="Started by auto_upload_hf.")
    status = models.CharField(
        max_length=20, choices=PublicationStatus.choices, default=PublicationStatus.PENDING
    )
    url = models.URLField(max_length=500, blank=True)
    published_ref = models.CharField(max_length=300, blank=True)
    revision = models.CharField(max_length=100, blank=True)
    files = models.JSONField(default=list, blank=True)
    failure_reason = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_platform} → {self.target_platform} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in {PublicationStatus.SUCCEEDED, PublicationStatus.FAILED}


class ShareTokenQuerySet(TenantQuerySet):
    def active(self) -> "ShareTokenQuerySet":
        return self.filter(revoked_at__isnull=True)


class ShareToken(models.Model):
    """A read-only link to some of one owner's jobs (a public page, a dashboard Space).

    Only the HMAC digest is stored; the raw value is shown once, like an API token. It
    reads status and metric points of the jobs it names, nothing else of the account.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_tokens"
    )
    jobs = models.ManyToManyField(TrainingJob, related_name="share_tokens")
    label = models.CharField(max_length=64, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    last_four = models.CharField(max_length=4)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ShareTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label or 'share link'} (asthub_share_…{self.last_four})"

    @property
    def masked(self) -> str:
        return f"asthub_share_…{self.last_four}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LeaderboardEntry(models.Model):
    """The owner's opt-in to list one finished AST run on the public energy leaderboard.

    No row, not listed (the default). The board shows the display name the owner chose,
    or "anonymous"; never the account's e-mail.
    """

    job = models.OneToOneField(
        TrainingJob, on_delete=models.CASCADE, related_name="leaderboard_entry"
    )
    display_name = models.CharField(max_length=40, blank=True)
    listed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-listed_at", "-id"]

    def __str__(self) -> str:
        return f"job {self.job_id} as {self.display_name or 'anonymous'}"


class SubmissionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the score"
    COMPLETE = "complete", "Scored"
    ERROR = "error", "Failed"


class CompetitionSubmission(models.Model):
    """A file from a run's outputs submitted to a Kaggle competition, and its score."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="competition_submissions"
    )
    job = models.ForeignKey(TrainingJob, on_delete=models.CASCADE, related_name="submissions")
    competition = models.CharField(max_length=100)
    file_name = models.CharField(max_length=200)
    message = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.PENDING
    )
    ref = models.BigIntegerField(null=True, blank=True, help_text="Kaggle's submission id.")
    public_score = models.CharField(max_length=50, blank=True)
    failure_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} → {self.competition} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status != SubmissionStatus.PENDING

    @property
    def url(self) -> str:
        return f"https://www.kaggle.com/competitions/{self.competition}/submissions"
