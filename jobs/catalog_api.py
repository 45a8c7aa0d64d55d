"""REST: the catalog of data sets and models, and checking a spec against it without
starting anything."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

import asthub_spec
from asthub_site.errors import InvalidInput
from asthub_site.query_params import choice_param
from jobs import services
from jobs.api import Pages, ScopedView
from jobs.catalog import KINDS, search_catalog
from jobs.catalog.models import generated_for
from jobs.spec import PLATFORMS, JobSpec


class CatalogView(ScopedView):
    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=list(KINDS)),
            OpenApiParameter("platform", str, enum=list(PLATFORMS)),
            OpenApiParameter("q", str, description="Text in the name or summary."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=OpenApiTypes.OBJECT,
        summary="Data sets and models a job may name, where each platform gets them, and "
        "what each needs",
    )
    def get(self, request):
        query = request.query_params.get("q", "")
        if len(query) > 100:
            raise InvalidInput("q: at most 100 characters.", fields={"q": ["too long"]})
        entries = search_catalog(
            kind=choice_param(request, "kind", KINDS),
            platform=choice_param(request, "platform", PLATFORMS),
            query=query,
        )
        pages = Pages()
        page = pages.paginate_queryset(entries, request, view=self)
        answer = pages.get_paginated_response([entry.as_dict() for entry in page])
        answer.data["generated_for"] = generated_for()
        return answer


class JobCheckView(ScopedView):
    required_scopes = {"POST": "jobs:read"}

    @extend_schema(
        request=asthub_spec.JobSpec,
        responses=OpenApiTypes.OBJECT,
        summary="Check a job spec against the catalog, the platform and your plan; starts "
        "nothing and spends nothing",
    )
    def post(self, request):
        spec = services.check_training(user=request.user, spec=JobSpec.from_dict(request.data))
        return Response(spec.check_report())
