"""REST shapes for jobs, metrics, sweeps, comparisons and model cards."""

from rest_framework import serializers

from asthub_site.serializers import IdField, StrictBooleanField, StrictSerializer
from jobs.monitoring import progress_with_costs


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
    energy_savings = serializers.FloatField(allow_null=True)
    energy_kwh = serializers.FloatField(allow_null=True)
    eta_minutes = serializers.FloatField(allow_null=True)
    cost_usd = serializers.FloatField(allow_null=True)
    cost_saved_usd = serializers.FloatField(
        allow_null=True, help_text="Versus plain training of the same epochs (estimated)."
    )
    cost_basis = serializers.CharField()
    updated_at = serializers.DateTimeField()


class JobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
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
    baseline_id = serializers.IntegerField(source="paired_with_id", allow_null=True)
    sweep_id = serializers.IntegerField(allow_null=True)
    rerun_of_id = serializers.IntegerField(allow_null=True)
    auto_upload_hf = serializers.BooleanField()
    hf_repo = serializers.CharField()
    external_id = serializers.CharField()
    failure_reason = serializers.CharField()
    waiting_for_slot = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    launched_at = serializers.DateTimeField(allow_null=True)
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    engine_version = serializers.CharField()
    script_sha256 = serializers.CharField()
    config = serializers.DictField()
    progress = serializers.SerializerMethodField()

    def get_waiting_for_slot(self, job) -> bool:
        """Queued behind the plan's concurrency limit; launches when a slot frees up."""
        return job.status == "queued" and not job.holds_slot

    def get_progress(self, job) -> ProgressSerializer(allow_null=True):  # type: ignore[valid-type]
        progress = progress_with_costs(job)
        return ProgressSerializer(progress).data if progress else None


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
