from rest_framework import serializers


class UsageLineSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    limit = serializers.IntegerField(allow_null=True, help_text="null when unlimited")
    unlimited = serializers.BooleanField()
    used = serializers.FloatField(
        allow_null=True, help_text="a count, or GB for artifact_storage_gb; null: not counted"
    )
    unit = serializers.CharField()


class BillingSerializer(serializers.Serializer):
    configured = serializers.BooleanField(help_text="false: this hub does not bill")
    status = serializers.CharField(help_text="Stripe's subscription status")
    current_period_end = serializers.DateTimeField(allow_null=True)
    cancel_at_period_end = serializers.BooleanField()
    grace_ends_at = serializers.DateTimeField(allow_null=True, help_text="past_due only")
    subscribed = serializers.BooleanField()


class UrlSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Send the person's browser here")


class UsageSerializer(serializers.Serializer):
    plan = serializers.CharField()
    plan_title = serializers.CharField()
    period_start = serializers.DateField()
    resets_at = serializers.DateTimeField()
    limits = serializers.DictField(child=UsageLineSerializer())
    hardware = serializers.JSONField()
    priority_queue = serializers.BooleanField()
    storage_bytes = serializers.IntegerField()
    billing = BillingSerializer()
    upgrade_url = serializers.URLField(allow_null=True, help_text="Free accounts on a billing hub")
