"""REST shapes for accounts. Secrets are write-only: no serializer ever outputs one."""

from rest_framework import serializers

from accounts.models import ALL_SCOPES, Provider
from asthub_site.serializers import StrictCharField, StrictSerializer


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    plan = serializers.CharField()
    date_joined = serializers.DateTimeField()
    token_scopes = serializers.ListField(child=serializers.CharField())


class CredentialSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()
    last_four = serializers.CharField()
    external_username = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)


class CredentialCreateSerializer(StrictSerializer):
    provider = serializers.ChoiceField(choices=Provider.values)
    label = StrictCharField(max_length=64, required=False, allow_blank=True, default="")
    token = StrictCharField(
        max_length=512, required=False, allow_blank=True, default="", write_only=True
    )
    username = StrictCharField(max_length=150, required=False, allow_blank=True, default="")
    key = StrictCharField(
        max_length=512, required=False, allow_blank=True, default="", write_only=True
    )


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    masked = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(help_text="The token itself. It is shown this once only.")


class TokenCreateSerializer(StrictSerializer):
    name = StrictCharField(max_length=64)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=ALL_SCOPES), min_length=1, max_length=10
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ConnectedAppSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    client_id = serializers.CharField()
    redirect_hosts = serializers.ListField(child=serializers.CharField())
    scopes = serializers.ListField(child=serializers.CharField())
    connected_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
