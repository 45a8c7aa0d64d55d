"""REST shapes for jobs, metrics, sweeps, comparisons and model cards."""

from rest_framework import serializers

from asthub_site.serializers import IdField, StrictBooleanField, StrictSerializer
from jobs.presenters.job import present_job_for_rest


class CancelRequestSerializer(StrictSerializer):
    confirm = StrictBooleanField(
        required=False,
        default=False,
        help_text="For a platform that cannot stop a run (Kaggle): stop following it here; "
        "the run goes on there until it ends.",
    )


class ProgressSerializer(serializers.Serializer):
    epoch = serializers.IntegerField()
    epochs = serializers.IntegerField()
    val_accuracy = serializers.FloatField(allow_null=True)
    train_loss = serializers.FloatField(allow_null=True)
    activation_rate = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)
    compute_savings = serializers.FloatField(allow_null=True)
    energy_savings = serializers.FloatField(
        allow_null=True,
        help_text="The engine's estimate of 1 - training energy / plain training's "
        "(validation excluded); null while the run is too short to estimate.",
    )
    energy_kwh = serializers.FloatField(allow_null=True)
    energy_source = serializers.CharField(
        allow_null=True,
        required=False,
        help_text="measured (hardware counters) or estimated (time x device power).",
    )
    train_energy_kwh = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text="The training share of energy_kwh (validation excluded), once the run ended.",
    )
    energy_saved = serializers.FloatField(
        allow_null=True,
        required=False,
        help_text="1 - training energy / plain training's: against the paired baseline run "
        "once both finished, else the engine's estimate; null when too short to estimate.",
    )
    energy_saved_basis = serializers.CharField(
        allow_null=True, required=False, help_text="What energy_saved was measured against."
    )
    eta_minutes = serializers.FloatField(allow_null=True)
    cost_usd = serializers.FloatField(allow_null=True)
    cost_saved_usd = serializers.FloatField(
        allow_null=True, help_text="Versus plain training of the same epochs (estimated)."
    )
    cost_basis = serializers.CharField()
    updated_at = serializers.DateTimeField()


RENAMED = "Deprecated: the old name of {}, kept for one release (README, Renamed fields)."


class JobSerializer(serializers.Serializer):
    """Documents the job's shape; the answer itself is the shared presenter's
    (jobs.presenters.job), the same fields MCP and the portal show."""

    job_id = serializers.IntegerField()
    id = serializers.IntegerField(help_text=RENAMED.format("job_id"))
    name = serializers.CharField()
    status = serializers.CharField()
    platform = serializers.CharField()
    dataset = serializers.CharField()
    model = serializers.CharField()
    epochs = serializers.IntegerField()
    batch_size = serializers.IntegerField()
    learning_rate = serializers.FloatField()
    seed = serializers.IntegerField()
    hardware = serializers.CharField()
    ast_config = serializers.DictField()
    is_baseline = serializers.BooleanField()
    baseline_job_id = serializers.IntegerField(allow_null=True)
    baseline_id = serializers.IntegerField(
        allow_null=True, help_text=RENAMED.format("baseline_job_id")
    )
    sweep_id = serializers.IntegerField(allow_null=True)
    rerun_of_id = serializers.IntegerField(allow_null=True)
    auto_upload_hf = serializers.BooleanField()
    hf_repo = serializers.CharField()
    external_id = serializers.CharField()
    failure_reason = serializers.CharField()
    waiting_for_slot = serializers.BooleanField(
        help_text="Queued behind the plan's concurrency limit; launches when a slot frees up."
    )
    created_at = serializers.DateTimeField()
    launched_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    engine_version = serializers.CharField()
    script_sha256 = serializers.CharField()
    config = serializers.DictField()
    progress = ProgressSerializer(allow_null=True)

    def to_representation(self, job):
        return present_job_for_rest(job)


class JobPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = JobSerializer(many=True)


class MetricsSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    points = serializers.ListField(child=serializers.DictField())


class ArtifactSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.CharField()


class CompareRequestSerializer(StrictSerializer):
    ast_run_id = IdField()
    baseline_run_id = IdField(required=False, allow_null=True)


class ModelCardRequestSerializer(StrictSerializer):
    template = serializers.ChoiceField(
        choices=["standard", "competition", "research"], required=False, default="standard"
    )
