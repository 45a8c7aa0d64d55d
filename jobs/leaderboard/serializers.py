"""REST shapes for the leaderboard and a run's listing."""

from rest_framework import serializers

from asthub_site.serializers import StrictBooleanField, StrictCharField, StrictSerializer
from jobs.leaderboard.services import MAX_DISPLAY_NAME


class ListingUpdateSerializer(StrictSerializer):
    listed = StrictBooleanField()
    display_name = StrictCharField(
        max_length=MAX_DISPLAY_NAME,
        required=False,
        allow_blank=True,
        help_text='Shown on the board; empty means "anonymous".',
    )


class ListingSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    listed = serializers.BooleanField()
    display_name = serializers.CharField()
    listed_at = serializers.DateTimeField(allow_null=True)
    published = serializers.BooleanField(
        help_text="A listed run appears on the board once it has been published."
    )


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    display_name = serializers.CharField()
    dataset = serializers.CharField()
    model = serializers.CharField()
    platform = serializers.CharField()
    hardware = serializers.CharField()
    epochs = serializers.IntegerField()
    target_activation_rate = serializers.FloatField(allow_null=True)
    accuracy = serializers.FloatField()
    energy_kwh = serializers.FloatField()
    energy_source = serializers.CharField(help_text="measured, estimated or unknown")
    accuracy_per_kwh = serializers.FloatField()
    baseline_energy_kwh = serializers.FloatField()
    energy_saved_kwh = serializers.FloatField()
    energy_savings = serializers.FloatField()
    saving_basis = serializers.CharField()
    model_url = serializers.CharField()
    published_ref = serializers.CharField()
    listed_at = serializers.DateTimeField()


class LeaderboardGroupSerializer(serializers.Serializer):
    dataset = serializers.CharField()
    entries = LeaderboardRowSerializer(many=True)


class LeaderboardSerializer(serializers.Serializer):
    ranked_by = serializers.CharField()
    datasets = LeaderboardGroupSerializer(many=True)
