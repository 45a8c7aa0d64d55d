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
from jobs.models import Publication
from jobs.publishing.services import publication_for, sync_model
from jobs.spec import PLATFORMS


class SyncModelSerializer(StrictSerializer):
    to_platform = serializers.ChoiceField(choices=PLATFORMS)
    job_id = IdField(required=False)
    from_platform = serializers.ChoiceField(choices=PLATFORMS, required=False)
    source_ref = StrictCharField(max_length=300, required=False, allow_blank=True)
    target_ref = StrictCharField(max_length=300, required=False, allow_blank=True)
    private = StrictBooleanField(required=False, default=True)


def publication_as_dict(publication: Publication) -> dict:
    return {
        "id": publication.pk,
        "job_id": publication.job_id,
        "from_platform": publication.source_platform,
        "source_ref": publication.source_ref,
        "to_platform": publication.target_platform,
        "target_ref": publication.target_ref,
        "private": publication.private,
        "automatic": publication.automatic,
        "status": publication.status,
        "url": publication.url,
        "published_ref": publication.published_ref,
        "revision": publication.revision,
        "files": [
            {"name": item["name"], "size": item["size"], "sha256": item["sha256"]}
            for item in publication.files
        ],
        "failure_reason": publication.failure_reason,
        "created_at": publication.created_at,
        "finished_at": publication.finished_at,
    }


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
        return Response(publication_as_dict(publication), status=status.HTTP_202_ACCEPTED)


class PublicationListView(ScopedView):
    @extend_schema(
        operation_id="v1_publications_list",
        responses=OpenApiTypes.OBJECT,
        summary="Your publications, newest first",
        parameters=[OpenApiParameter("job_id", int, description="Only this job's")],
    )
    def get(self, request):
        publications = Publication.objects.for_user(request.user)
        job_id = int_param(request, "job_id")
        if job_id is not None:
            publications = publications.filter(job_id=job_id)
        pages = Pages()
        page = pages.paginate_queryset(publications, request, view=self)
        return pages.get_paginated_response([publication_as_dict(p) for p in page])


class PublicationDetailView(ScopedView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="One publication and its status")
    def get(self, request, publication_id: int):
        return Response(publication_as_dict(publication_for(request.user, publication_id)))


class PublicationFileView(ScopedView):
    @extend_schema(responses=DOWNLOAD_RESPONSES, description=DOWNLOAD_DESCRIPTION)
    def get(self, request, publication_id: int, name: str):
        """Download a file of a model kept on this hub (target "local")."""
        publication = publication_for(request.user, publication_id)
        match = next((item for item in publication.files if item["name"] == name), None)
        if match is None:
            raise NotFound(f"Publication {publication_id} has no file {name!r}.")
        return download_response(match["storage_key"], name)
