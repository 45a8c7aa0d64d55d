from rest_framework import serializers


class UsageLineSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    limit = serializers.IntegerField(allow_null=True, help_text="null when unlimited")
    unlimited = serializers.BooleanField()
    used = serializers.IntegerField(allow_null=True)
    unit = serializers.CharField()


class UsageSerializer(serializers.Serializer):
    plan = serializers.CharField()
    plan_title = serializers.CharField()
    period_start = serializers.DateField()
    resets_at = serializers.DateTimeField()
    limits = serializers.DictField(child=UsageLineSerializer())
    hardware = serializers.JSONField()
    priority_queue = serializers.BooleanField()
