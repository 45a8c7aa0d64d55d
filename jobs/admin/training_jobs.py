"""Training jobs for operators: searchable, read-only (the state machine owns every field),
with one action, cancel, that goes through the same service as the owner's cancel."""

from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet

from accounts import audit
from asthub_site.errors import HubError
from jobs import services
from jobs.admin.display import NoHandEdits, ServiceOwnedAdmin, elapsed, owner_link, pretty_json
from jobs.models import Artifact, JobStatus, MetricPoint, TrainingJob
from jobs.runs.cancel import CANCELLED_REASON

# A long run has thousands of epochs; the page shows the latest ones, the API has the rest.
METRIC_POINTS_SHOWN = 20
ARTIFACTS_SHOWN = 50


def _first(count: int) -> type[BaseInlineFormSet]:
    """An inline formset that shows only the first `count` rows of its (ordered) query:
    the slice comes after the formset has filtered by the job, where Django allows it."""

    class FirstRows(BaseInlineFormSet):
        def get_queryset(self):
            return super().get_queryset()[:count]

    return FirstRows


class ReadOnlyInline(NoHandEdits, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class LatestMetricPoints(ReadOnlyInline):
    model = MetricPoint
    formset = _first(METRIC_POINTS_SHOWN)
    ordering = ["-epoch"]
    fields = ["epoch", "data", "recorded_at"]
    verbose_name_plural = f"Metric points (latest {METRIC_POINTS_SHOWN})"


class Artifacts(ReadOnlyInline):
    model = Artifact
    formset = _first(ARTIFACTS_SHOWN)
    fields = ["name", "size", "sha256", "storage_key", "created_at"]
    verbose_name_plural = f"Artifacts (first {ARTIFACTS_SHOWN})"


@admin.register(TrainingJob)
class TrainingJobAdmin(ServiceOwnedAdmin):
    list_display = ["id", "owner_email", "name", "platform", "hardware", "dataset", "model"]
    list_display += ["status", "kind", "created_at", "started_at", "finished_at", "duration"]
    list_display_links = ["id", "name"]
    list_filter = ["status", "platform", "is_baseline"]
    search_fields = ["=id", "name", "owner__email", "external_id"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    inlines = [LatestMetricPoints, Artifacts]
    actions = ["cancel_jobs"]
    fieldsets = [
        ("Run", {"fields": ["id", "owner", "name", "platform", "hardware", "kind"]}),
        (
            "Spec",
            {
                "fields": ["dataset", "model", "epochs", "batch_size", "learning_rate", "seed"]
                + ["paired_with", "sweep", "rerun_of", "auto_upload_hf", "hf_repo"]
            },
        ),
        (
            "Status",
            {
                "fields": ["status", "failure_reason", "external_id", "queue", "attempts"]
                + ["holds_slot", "slot_period", "created_at", "launched_at", "started_at"]
                + ["finished_at", "heartbeat_at", "duration"]
            },
        ),
        ("Engine", {"fields": ["engine_version", "script_sha256", "config_json", "ast_json"]}),
        ("Results", {"fields": ["summary_json", "figures_json"]}),
        (
            "Platform",
            {
                "fields": ["platform_state_json", "next_poll_at", "poll_failures"]
                + ["last_poll_error", "supervisor_host", "supervisor_pid", "engine_host"]
                + ["engine_pgid"]
            },
        ),
    ]
    readonly_fields = [field for _, options in fieldsets for field in options["fields"]]

    @admin.display(description="Owner", ordering="owner__email")
    def owner_email(self, job):
        return owner_link(self, job.owner)

    @admin.display(description="Kind", ordering="is_baseline")
    def kind(self, job):
        return "baseline" if job.is_baseline else "AST"

    @admin.display(description="Duration")
    def duration(self, job):
        return elapsed(job.started_at, job.finished_at)

    @admin.display(description="Config")
    def config_json(self, job):
        return pretty_json(job.config)

    @admin.display(description="AST settings")
    def ast_json(self, job):
        return pretty_json(job.ast_config)

    @admin.display(description="Summary")
    def summary_json(self, job):
        return pretty_json(job.summary)

    @admin.display(description="Figures")
    def figures_json(self, job):
        return pretty_json(job.figures)

    @admin.display(description="Platform state")
    def platform_state_json(self, job):
        return pretty_json(job.platform_state)

    def has_cancel_permission(self, request):
        # A staff member who may only view jobs does not get the action.
        return request.user.has_perm("jobs.change_trainingjob")

    @admin.action(description="Cancel selected jobs", permissions=["cancel"])
    def cancel_jobs(self, request, queryset):
        for job in queryset.select_related("owner").order_by("pk"):
            level, message = _cancel_as_operator(operator=request.user, job=job)
            self.message_user(request, message, level)


def _cancel_as_operator(*, operator, job: TrainingJob) -> tuple[int, str]:
    """Cancel `job` for its owner and say what happened. The operator acts with confirm:
    where the platform cannot stop a run (Kaggle) the hub stops following it."""
    status_before = job.status
    try:
        cancelled = services.cancel_training(user=job.owner, job_id=job.pk, confirm=True)
    except HubError as refused:  # already ended, platform busy, credential gone...
        return messages.WARNING, f"Job {job.pk} not cancelled: {refused.message}"
    if cancelled.status != JobStatus.CANCELLED:  # it ended on its own meanwhile
        return messages.WARNING, f"Job {job.pk} already {cancelled.status}; nothing to cancel."
    # The service records the owner as the actor, as if they had cancelled it; this row
    # says who really did.
    audit.record(
        user=job.owner,
        actor=operator,
        action="job.cancelled_by_operator",
        target=cancelled,
        detail={"status_before": status_before, "reason": cancelled.failure_reason},
    )
    if cancelled.failure_reason == CANCELLED_REASON:
        return messages.SUCCESS, f"Job {job.pk} cancelled."
    # Stopped following only: the reason says where the run may still be going on.
    return messages.WARNING, f"Job {job.pk} cancelled here: {cancelled.failure_reason}"
