"""REST endpoints for training jobs and sweeps. Thin: parse, call one service or
selector, shape the answer."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

import asthub_spec
from accounts.permissions import RequiresScope
from asthub_site.errors import InvalidInput
from asthub_site.query_params import bool_param, choice_param, int_param
from jobs import selectors, services
from jobs.artifacts import download_response
from jobs.models import JobStatus
from jobs.presenters.job import NOT_SHOWN
from jobs.serializers import (
    ArtifactSerializer,
    CancelRequestSerializer,
    JobPageSerializer,
    JobSerializer,
    MetricsSerializer,
)
from jobs.spec import PLATFORMS, JobSpec, parse_sweep
from jobs.sweeps import sweep_as_dict


class Pages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        # DRF silently falls back to the default on a bad page_size; say it instead.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and (not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size):
            raise InvalidInput(f"page_size must be an integer from 1 to {self.max_page_size}.")
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        # DRF reads an empty ?page= as page 1; a malformed request deserves to hear so.
        raw = request.query_params.get(self.page_query_param)
        if raw is not None and not raw.isdigit() and raw not in self.last_page_strings:
            raise InvalidInput("page must be a positive integer.")
        return super().get_page_number(request, paginator)


# A download is the file with its own content type (JSON, PNG, safetensors, ...), or a
# redirect to a short-lived presigned URL when artifacts live on S3.
DOWNLOAD_RESPONSES = {
    (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file's bytes."),
    302: OpenApiResponse(description="Artifacts on S3: `Location` is a presigned URL."),
}
DOWNLOAD_DESCRIPTION = (
    "Served with the file's own content type. When the hub keeps artifacts on S3 the answer "
    "is a 302 to a presigned URL valid for 5 minutes; follow it (`curl -L`)."
)


class ScopedView(APIView):
    permission_classes = APIView.permission_classes + [RequiresScope]
    required_scopes = {"GET": "jobs:read", "POST": "jobs:write"}


START_EXAMPLE = OpenApiExample(
    "AST on digits with a baseline",
    value={
        "dataset": "digits",
        "model": "mlp",
        "epochs": 10,
        "ast_config": {"target_activation_rate": 0.4, "entropy_weight": 0.3},
        "with_baseline": True,
    },
)


class JobListView(ScopedView):
    @extend_schema(
        operation_id="v1_jobs_list",
        parameters=[
            OpenApiParameter("status", str, enum=JobStatus.values),
            OpenApiParameter("platform", str, enum=list(PLATFORMS)),
            OpenApiParameter("is_baseline", bool),
            OpenApiParameter("sweep", int),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=JobPageSerializer,
        summary="List your training jobs (newest first)",
    )  # fmt: skip
    def get(self, request):
        jobs = selectors.jobs_for(
            request.user,
            status=choice_param(request, "status", JobStatus.values),
            platform=choice_param(request, "platform", PLATFORMS),
            is_baseline=bool_param(request, "is_baseline"),
            sweep_id=int_param(request, "sweep"),
        )
        pages = Pages()
        page = pages.paginate_queryset(jobs, request, view=self)
        return pages.get_paginated_response(JobSerializer(page, many=True).data)

    @extend_schema(
        request=asthub_spec.JobSpec,
        responses={201: JobSerializer},
        summary="Start a training job (counts against your plan)",
        examples=[START_EXAMPLE],
    )
    def post(self, request):
        spec = JobSpec.from_dict(request.data)
        job = services.start_training(user=request.user, spec=spec)
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)


class JobDetailView(ScopedView):
    @extend_schema(responses=JobSerializer, summary="One job with its latest progress")
    def get(self, request, job_id: int):
        job = selectors.job_for(request.user, job_id, skip=NOT_SHOWN)
        return Response(JobSerializer(job).data)


class JobCancelView(ScopedView):
    @extend_schema(
        request=CancelRequestSerializer,
        responses=JobSerializer,
        summary="Cancel a job",
        description="A Kaggle run cannot be stopped through Kaggle's API: without "
        '`{"confirm": true}` the answer is 409 saying so; with it the hub stops following '
        "the run (it goes on on Kaggle until it ends).",
    )
    def post(self, request, job_id: int):
        body = CancelRequestSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        job = services.cancel_training(
            user=request.user, job_id=job_id, confirm=body.validated_data["confirm"]
        )
        return Response(JobSerializer(job).data)


class JobRerunView(ScopedView):
    @extend_schema(request=None, responses={201: JobSerializer}, summary="Start an identical run")
    def post(self, request, job_id: int):
        job = services.rerun_training(user=request.user, job_id=job_id)
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)


class JobMetricsView(ScopedView):
    @extend_schema(
        parameters=[OpenApiParameter("after_epoch", int)],
        responses=MetricsSerializer,
        summary="Per-epoch metric points",
    )
    def get(self, request, job_id: int):
        job = selectors.job_for(request.user, job_id)
        points = selectors.metric_points(job, after_epoch=int_param(request, "after_epoch"))
        return Response({"job_id": job.pk, "points": points})


class JobArtifactsView(ScopedView):
    @extend_schema(responses=ArtifactSerializer(many=True), summary="Artifacts with download links")
    def get(self, request, job_id: int):
        job = selectors.job_for(request.user, job_id)
        rows = [
            {
                "name": artifact.name,
                "size": artifact.size,
                "sha256": artifact.sha256,
                "url": request.build_absolute_uri(
                    f"/api/v1/jobs/{job.pk}/artifacts/{artifact.name}"
                ),
            }
            for artifact in selectors.artifacts_of(job)
        ]
        return Response(rows)


class JobArtifactDownloadView(ScopedView):
    @extend_schema(
        responses=DOWNLOAD_RESPONSES,
        summary="Download one artifact",
        description=DOWNLOAD_DESCRIPTION,
    )
    def get(self, request, job_id: int, name: str):
        job = selectors.job_for(request.user, job_id)
        artifact = selectors.artifact_of(job, name)
        return download_response(artifact.storage_key, artifact.name)


class SweepListView(ScopedView):
    @extend_schema(
        operation_id="v1_sweeps_list", responses=OpenApiTypes.OBJECT, summary="List your sweeps"
    )
    def get(self, request):
        pages = Pages()
        page = pages.paginate_queryset(selectors.sweeps_for(request.user), request, view=self)
        return pages.get_paginated_response([sweep_as_dict(sweep) for sweep in page])

    @extend_schema(
        request=asthub_spec.SweepRequest,
        responses={201: OpenApiTypes.OBJECT},
        summary="Start a hyperparameter sweep over AST settings (one job per point)",
        examples=[
            OpenApiExample(
                "Target rate × entropy weight",
                value={
                    "spec": {"dataset": "digits", "model": "mlp", "epochs": 5},
                    "grid": {"target_activation_rate": [0.2, 0.4], "entropy_weight": [0.1, 0.3]},
                },
            )
        ],
    )
    def post(self, request):
        spec, grid, name = parse_sweep(request.data)
        sweep = services.start_sweep(user=request.user, spec=spec, grid=grid, name=name)
        return Response(sweep_as_dict(sweep), status=status.HTTP_201_CREATED)


class SweepDetailView(ScopedView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="A sweep with its ranked summary")
    def get(self, request, sweep_id: int):
        return Response(sweep_as_dict(selectors.sweep_for(request.user, sweep_id)))
