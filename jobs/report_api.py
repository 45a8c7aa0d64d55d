"""REST endpoints for comparisons and model cards."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response

from asthub_site.errors import NotFound
from jobs import reports
from jobs.api import ScopedView
from jobs.serializers import CompareRequestSerializer, ModelCardRequestSerializer


def card_as_dict(card) -> dict:
    return {
        "job_id": card.job_id,
        "template": card.template,
        "markdown": card.markdown,
        "badges": card.badges,
        "plots": card.plots,
        "created_at": card.created_at,
    }


class CompareView(ScopedView):
    required_scopes = {"POST": "jobs:read"}

    @extend_schema(
        request=CompareRequestSerializer,
        responses=OpenApiTypes.OBJECT,
        summary="Compare an AST run with its baseline (JSON, Markdown and LaTeX)",
        examples=[OpenApiExample("Paired runs", value={"ast_run_id": 12, "baseline_run_id": 13})],
    )
    def post(self, request):
        body = CompareRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comparison = reports.compare(user=request.user, **body.validated_data)
        return Response(
            comparison.as_dict()
            | {"markdown": comparison.to_markdown(), "latex": comparison.to_latex()}
        )


class ModelCardView(ScopedView):
    required_scopes = {"GET": "jobs:read", "POST": "models:write"}

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="The latest model card of a run")
    def get(self, request, job_id: int):
        card = reports.latest_card(user=request.user, job_id=job_id)
        if card is None:
            raise NotFound(f"Job {job_id} has no model card yet; POST to create one.")
        return Response(card_as_dict(card))

    @extend_schema(
        request=ModelCardRequestSerializer,
        responses={201: OpenApiTypes.OBJECT},
        summary="Create a model card (standard, competition or research) with plots",
    )
    def post(self, request, job_id: int):
        body = ModelCardRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        card = reports.create_model_card(
            user=request.user, run_id=job_id, template=body.validated_data["template"]
        )
        return Response(card_as_dict(card), status=status.HTTP_201_CREATED)
