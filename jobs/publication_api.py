"""REST endpoints for publishing models (`sync_model`) and following publications."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from asthub_site.errors import NotFound
from asthub_site.query_params import int_param
from asthub_site.serializers import IdField, StrictBooleanField, StrictCharField, StrictSerializer
from jobs.api import DOWNLOAD_DESCRIPTION, DOWNLOAD_RESPONSES, Pages, ScopedView
from jobs.artifacts import download_response
from jobs.presenters.publication import present_publication_for_rest
from jobs.publishing.services import publication_for, publications_for, sync_model
from jobs.spec import PLATFORMS


class SyncModelSerializer(StrictSerializer):
    to_platform = serializers.ChoiceField(choices=PLATFORMS)
    job_id = IdField(required=False)
    from_platform = serializers.ChoiceField(choices=PLATFORMS, required=False)
    source_ref = StrictCharField(max_length=300, required=False, allow_blank=True)
    target_ref = StrictCharField(max_length=300, required=False, allow_blank=True)
    private = StrictBooleanField(required=False, default=True)


class SyncModelView(ScopedView):
    required_scopes = {"POST": "models:write"}

    @extend_schema(
        request=SyncModelSerializer,
        responses={202: OpenApiTypes.OBJECT},
        summary="Publish a model: a finished run's outputs, or a model from another platform",
        description=(
            "Records a publication and copies the model in the background; follow it with "
            "GET /api/v1/publications/{id}/ until status is succeeded (url, revision) or "
            "failed (failure_reason)."
        ),
        examples=[
            OpenApiExample(
                "A run to the Hub",
                value={"job_id": 12, "to_platform": "huggingface", "target_ref": "alice/m"},
            ),
            OpenApiExample(
                "A Hub model to Kaggle Models",
                value={
                    "from_platform": "huggingface",
                    "source_ref": "alice/digits-ast",
                    "to_platform": "kaggle",
                },
            ),
        ],
    )
    def post(self, request):
        body = SyncModelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        publication = sync_model(user=request.user, **body.validated_data)
        return Response(present_publication_for_rest(publication), status=status.HTTP_202_ACCEPTED)


class PublicationListView(ScopedView):
    @extend_schema(
        operation_id="v1_publications_list",
        responses=OpenApiTypes.OBJECT,
        summary="Your publications, newest first",
        parameters=[OpenApiParameter("job_id", int, description="Only this job's")],
    )
    def get(self, request):
        publications = publications_for(request.user, job_id=int_param(request, "job_id"))
        pages = Pages()
        page = pages.paginate_queryset(publications, request, view=self)
        return pages.get_paginated_response([present_publication_for_rest(p) for p in page])


class PublicationDetailView(ScopedView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="One publication and its status")
    def get(self, request, publication_id: int):
        return Response(present_publication_for_rest(publication_for(request.user, publication_id)))


class PublicationFileView(ScopedView):
    @extend_schema(responses=DOWNLOAD_RESPONSES, description=DOWNLOAD_DESCRIPTION)
    def get(self, request, publication_id: int, name: str):
        """Download a file of a model kept on this hub (target "local")."""
        publication = publication_for(request.user, publication_id)
        match = next((item for item in publication.files if item["name"] == name), None)
        if match is None:
            raise NotFound(f"Publication {publication_id} has no file {name!r}.")
        return download_response(match["storage_key"], name)
