"""REST endpoints for Kaggle competition submissions. Thin: parse, call one service."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from asthub_site.query_params import int_param
from asthub_site.serializers import IdField, StrictCharField, StrictSerializer
from jobs import competitions
from jobs.api import Pages, ScopedView
from jobs.presenters.submission import present_submission_for_rest
from jobs.serializers import RENAMED


class SubmitRequestSerializer(StrictSerializer):
    run_id = IdField()
    competition = StrictCharField(max_length=100, help_text="As in kaggle.com/competitions/NAME")
    file = StrictCharField(max_length=200, help_text="One of the run's artifacts, by name.")
    message = StrictCharField(max_length=500, required=False, allow_blank=True)


class SubmissionSerializer(serializers.Serializer):
    """Documents the shape; the answer is the shared presenter's (jobs.presenters)."""

    submission_id = serializers.IntegerField()
    id = serializers.IntegerField(help_text=RENAMED.format("submission_id"))
    job_id = serializers.IntegerField()
    competition = serializers.CharField()
    file_name = serializers.CharField()
    message = serializers.CharField()
    status = serializers.CharField(help_text="pending, complete (scored) or error")
    public_score = serializers.CharField(help_text="Set once Kaggle has scored it.")
    failure_reason = serializers.CharField()
    ref = serializers.IntegerField(allow_null=True, help_text="Kaggle's submission id")
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    scored_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, submission):
        return present_submission_for_rest(submission)


class SubmissionPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SubmissionSerializer(many=True)


class SubmissionListView(ScopedView):
    @extend_schema(
        operation_id="v1_competitions_submissions_list",
        parameters=[OpenApiParameter("job", int), OpenApiParameter("page", int)],
        responses=SubmissionPageSerializer,
        summary="Your competition submissions (newest first)",
    )
    def get(self, request):
        rows = competitions.submissions_for(request.user, job_id=int_param(request, "job"))
        pages = Pages()
        page = pages.paginate_queryset(rows, request, view=self)
        return pages.get_paginated_response(SubmissionSerializer(page, many=True).data)

    @extend_schema(
        request=SubmitRequestSerializer,
        responses={201: SubmissionSerializer},
        summary="Submit a run's output file to a Kaggle competition",
        description="Uploads the file and creates the submission with your Kaggle "
        "credential; the score arrives later (GET the submission). 403 when you have not "
        "accepted the competition's rules, 404 for an unknown competition or file.",
        examples=[
            OpenApiExample(
                "Titanic",
                value={"run_id": 12, "competition": "titanic", "file": "submission.csv"},
            )
        ],
    )
    def post(self, request):
        body = SubmitRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        submission = competitions.submit_to_competition(user=request.user, **body.validated_data)
        return Response(present_submission_for_rest(submission), status=status.HTTP_201_CREATED)


class SubmissionDetailView(ScopedView):
    @extend_schema(responses=SubmissionSerializer, summary="One submission and its score")
    def get(self, request, submission_id: int):
        submission = competitions.submission_for(request.user, submission_id)
        return Response(present_submission_for_rest(submission))
