"""REST endpoints for the Hugging Face Hub extras: collections and dashboard Spaces."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from asthub_site.serializers import IdField, StrictBooleanField, StrictCharField, StrictSerializer
from jobs.api import ScopedView
from jobs.platforms.huggingface.collections import MAX_ITEMS, MAX_TITLE, create_collection
from jobs.sharing.dashboard_space import deploy_dashboard


class CollectionRequestSerializer(StrictSerializer):
    title = StrictCharField(max_length=MAX_TITLE)
    job_ids = serializers.ListField(child=IdField(), required=False, max_length=MAX_ITEMS)
    repo_ids = serializers.ListField(
        child=StrictCharField(max_length=200), required=False, max_length=MAX_ITEMS
    )
    description = StrictCharField(max_length=500, required=False, allow_blank=True)
    # Left out (or null): private when any collected model is private.
    private = StrictBooleanField(required=False, allow_null=True, default=None)


class CollectionView(ScopedView):
    required_scopes = {"POST": "models:write"}

    @extend_schema(
        request=CollectionRequestSerializer,
        responses={201: OpenApiTypes.OBJECT},
        summary="Gather published runs (and Hub repos) into a Hugging Face collection",
        description=(
            "Creates the collection in your Hub namespace (or reuses the one with this "
            "title) and adds each run's published repo and each repo id. Runs must have "
            "been published to the Hub (POST /api/v1/models/sync) first. Without private, "
            "the collection is private when any of its models is private (the Hub hides "
            "private items from visitors of a public collection); private: false makes it "
            "public anyway."
        ),
        examples=[
            OpenApiExample("A model zoo", value={"title": "AST-CIFAR100", "job_ids": [12, 13, 14]})
        ],
    )
    def post(self, request):
        body = CollectionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        collection = create_collection(user=request.user, **body.validated_data)
        return Response(collection.as_dict(), status=status.HTTP_201_CREATED)


class DashboardRequestSerializer(StrictSerializer):
    job_ids = serializers.ListField(child=IdField(), min_length=1, max_length=20)
    space = StrictCharField(max_length=200, required=False, allow_blank=True)
    private = StrictBooleanField(required=False, default=False)


class DashboardView(ScopedView):
    required_scopes = {"POST": "models:write"}

    @extend_schema(
        request=DashboardRequestSerializer,
        responses={201: OpenApiTypes.OBJECT},
        summary="Deploy a live dashboard Space for runs (a Gradio app on the Hub)",
        description=(
            "Mints a read-only share link for exactly these runs, stores it as the Space "
            "secret ASTHUB_SHARE_TOKEN and commits a Gradio app that charts accuracy, "
            "activation rate and energy savings live. Revoke the link (DELETE "
            "/api/v1/shares/{share_id}) to stop the feed. Public unless private is true."
        ),
        examples=[OpenApiExample("One run", value={"job_ids": [12], "space": "ast-live"})],
    )
    def post(self, request):
        body = DashboardRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        deployed = deploy_dashboard(user=request.user, **body.validated_data)
        return Response(deployed.as_dict(), status=status.HTTP_201_CREATED)
