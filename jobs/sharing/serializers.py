"""REST shapes for share links (owner side) and the public shared-jobs answer."""

from rest_framework import serializers

from asthub_site.serializers import IdField, StrictCharField, StrictSerializer
from jobs.presenters.share_link import present_share_link_for_rest
from jobs.serializers import RENAMED
from jobs.sharing.services import MAX_JOBS_PER_LINK, MAX_LABEL


class ShareCreateSerializer(StrictSerializer):
    job_ids = serializers.ListField(
        child=IdField(),
        allow_empty=False,
        max_length=MAX_JOBS_PER_LINK,
        help_text="Jobs the link may read (yours).",
    )
    label = StrictCharField(max_length=MAX_LABEL, required=False, allow_blank=True)


class ShareSerializer(serializers.Serializer):
    """Documents the shape; the answer is the shared presenter's (jobs.presenters)."""

    share_id = serializers.IntegerField()
    id = serializers.IntegerField(help_text=RENAMED.format("share_id"))
    label = serializers.CharField()
    masked = serializers.CharField(help_text="asthub_share_… and the last four characters.")
    job_ids = serializers.ListField(child=serializers.IntegerField())
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, share):
        return present_share_link_for_rest(share)


class ShareCreatedSerializer(ShareSerializer):
    token = serializers.CharField(help_text="Shown once; the hub keeps only a digest.")
    page_url = serializers.CharField()
    api_url = serializers.CharField()


class SharedPointSerializer(serializers.Serializer):
    epoch = serializers.IntegerField()
    epochs = serializers.IntegerField(required=False)
    train_loss = serializers.FloatField(required=False, allow_null=True)
    val_accuracy = serializers.FloatField(required=False, allow_null=True)
    activation_rate = serializers.FloatField(required=False, allow_null=True)
    threshold = serializers.FloatField(required=False, allow_null=True)
    compute_savings = serializers.FloatField(required=False, allow_null=True)
    energy_savings = serializers.FloatField(required=False, allow_null=True)
    energy_kwh = serializers.FloatField(required=False, allow_null=True)
    energy_source = serializers.CharField(required=False)
    wall_seconds = serializers.FloatField(required=False, allow_null=True)
    eta_seconds = serializers.FloatField(required=False, allow_null=True)
    phase = serializers.CharField(required=False)


class SharedProgressSerializer(serializers.Serializer):
    epoch = serializers.IntegerField(allow_null=True)
    epochs = serializers.IntegerField(allow_null=True)
    val_accuracy = serializers.FloatField(allow_null=True)
    activation_rate = serializers.FloatField(allow_null=True)
    compute_savings = serializers.FloatField(allow_null=True)
    energy_savings = serializers.FloatField(allow_null=True)
    energy_kwh = serializers.FloatField(allow_null=True)
    energy_source = serializers.CharField(
        allow_null=True, help_text="measured (hardware counters) or estimated (time x power)"
    )
    energy_saved = serializers.FloatField(
        allow_null=True,
        help_text="1 - training energy / plain training's (validation excluded), against "
        "the paired baseline run once both finished, else the engine's estimate",
    )
    energy_saved_basis = serializers.CharField(help_text="what energy_saved was measured against")
    eta_minutes = serializers.FloatField(allow_null=True)
    cost_usd = serializers.FloatField(allow_null=True)
    cost_saved_usd = serializers.FloatField(allow_null=True)


class SharedJobSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    id = serializers.IntegerField(help_text=RENAMED.format("job_id"))
    name = serializers.CharField()
    status = serializers.CharField()
    platform = serializers.CharField()
    hardware = serializers.CharField()
    dataset = serializers.CharField()
    model = serializers.CharField()
    epochs = serializers.IntegerField()
    is_baseline = serializers.BooleanField()
    paired_job_id = serializers.IntegerField(
        allow_null=True, help_text="The run paired with this one, when this link shares it too"
    )
    target_activation_rate = serializers.FloatField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    progress = SharedProgressSerializer(allow_null=True)
    points = SharedPointSerializer(many=True)


class SharedViewSerializer(serializers.Serializer):
    label = serializers.CharField()
    created_at = serializers.DateTimeField()
    jobs = SharedJobSerializer(many=True)
