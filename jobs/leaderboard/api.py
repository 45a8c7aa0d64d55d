"""REST for the leaderboard: the public board (no account, rate-limited per address) and
the owner's opt-in per run."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import RequiresScope
from jobs.leaderboard import selectors, services
from jobs.leaderboard.listing import listing_state
from jobs.leaderboard.serializers import (
    LeaderboardSerializer,
    ListingSerializer,
    ListingUpdateSerializer,
)
from jobs.public_rate import PublicAddressThrottle
from jobs.selectors import job_for


class LeaderboardView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicAddressThrottle]

    @extend_schema(
        auth=[],
        parameters=[OpenApiParameter("dataset", str, description="Only this data set.")],
        responses=LeaderboardSerializer,
        summary="The public energy leaderboard (published AST runs whose owners opted in)",
    )
    def get(self, request):
        dataset = request.query_params.get("dataset") or None
        return Response(selectors.leaderboard(dataset=dataset))


class JobListingView(APIView):
    permission_classes = APIView.permission_classes + [RequiresScope]
    required_scopes = {"GET": "jobs:read", "PUT": "jobs:write"}

    @extend_schema(responses=ListingSerializer, summary="Is this run on the public leaderboard?")
    def get(self, request, job_id: int):
        entry = services.listing_of(user=request.user, job_id=job_id)
        return Response(listing_state(job_for(request.user, job_id), entry))

    @extend_schema(
        request=ListingUpdateSerializer,
        responses=ListingSerializer,
        summary="List or unlist a succeeded AST run on the public leaderboard",
        examples=[OpenApiExample("Opt in", value={"listed": True, "display_name": "Lab 7"})],
    )
    def put(self, request, job_id: int):
        body = ListingUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.set_leaderboard_listing(
            user=request.user, job_id=job_id, **body.validated_data
        )
        return Response(listing_state(job_for(request.user, job_id), entry))
