"""REST: a run's log, as a tail or as what came after a cursor (jobs.run_logs)."""

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from jobs import run_logs
from jobs.api import ScopedView


class RunLogSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    lines = serializers.ListField(child=serializers.CharField())
    cursor = serializers.CharField(help_text="Pass back as `after` to get what came next.")
    complete = serializers.BooleanField(
        help_text="The run has ended and every line has been answered: stop asking."
    )
    source = serializers.ChoiceField(choices=("engine", "kaggle", "huggingface"))


class JobLogView(ScopedView):
    @extend_schema(
        operation_id="v1_jobs_logs_retrieve",
        parameters=[
            OpenApiParameter(
                "tail",
                int,
                description=f"How many lines at most (1 to {run_logs.MAX_TAIL}, "
                f"default {run_logs.DEFAULT_TAIL}).",
            ),
            OpenApiParameter(
                "after",
                str,
                description="A `cursor` from an earlier answer: only the lines written after "
                "it, oldest first.",
            ),
        ],
        responses={
            200: RunLogSerializer,
            503: OpenApiResponse(
                inline_serializer(
                    "PlatformBusyError",
                    {
                        "error": inline_serializer(
                            "PlatformBusyErrorBody",
                            {"code": serializers.CharField(), "message": serializers.CharField()},
                        )
                    },
                ),
                description="The platform is busy and no copy of the log is kept yet; "
                "try again in a few seconds.",
            ),
        },
        summary="The run's log: its last lines, or what came after a cursor",
        description="The engine's output for a local run, the kernel's log on Kaggle, the "
        "job's log on Hugging Face, secrets redacted and long lines cut. Follow a running "
        "job by passing each answer's `cursor` as `after` until `complete` is true. A remote "
        "log is read from the platform at most every few seconds.",
    )
    def get(self, request, job_id: int):
        tail = run_logs.parse_tail(request.query_params.get("tail"))
        after = run_logs.parse_cursor(request.query_params.get("after"))
        page = run_logs.read_run_log(user=request.user, job_id=job_id, tail=tail, after=after)
        return Response(page.as_dict())
