"""REST for share links: the owner lists, creates and revokes them (scoped like jobs);
anyone holding a link reads its jobs through the public endpoint, with no account."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import RequiresScope
from billing.throttling import account_rate_key, count_request
from jobs.public_rate import PublicAddressThrottle
from jobs.sharing import selectors, services
from jobs.sharing.public import shared_view
from jobs.sharing.serializers import (
    ShareCreatedSerializer,
    ShareCreateSerializer,
    SharedViewSerializer,
    ShareSerializer,
)
from jobs.sharing.urls_for import share_urls


class ShareListView(APIView):
    permission_classes = APIView.permission_classes + [RequiresScope]
    required_scopes = {"GET": "jobs:read", "POST": "jobs:write"}

    @extend_schema(responses=ShareSerializer(many=True), summary="List your share links")
    def get(self, request):
        shares = selectors.share_tokens_for(request.user)
        return Response(ShareSerializer(shares, many=True).data)

    @extend_schema(
        request=ShareCreateSerializer,
        responses={201: ShareCreatedSerializer},
        summary="Create a read-only share link to some of your jobs (shown once)",
        examples=[
            OpenApiExample("Two runs", value={"job_ids": [12, 13], "label": "AST vs baseline"})
        ],
    )
    def post(self, request):
        body = ShareCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        share, raw = services.create_share_token(user=request.user, **body.validated_data)
        data = ShareSerializer(share).data | {"token": raw} | share_urls(raw)
        return Response(data, status=status.HTTP_201_CREATED)


class ShareDetailView(APIView):
    permission_classes = APIView.permission_classes + [RequiresScope]
    required_scopes = {"GET": "jobs:read", "DELETE": "jobs:write"}

    @extend_schema(responses=ShareSerializer, summary="One share link")
    def get(self, request, share_id: int):
        return Response(ShareSerializer(selectors.share_token_for(request.user, share_id)).data)

    @extend_schema(responses={204: None}, summary="Revoke a share link")
    def delete(self, request, share_id: int):
        services.revoke_share_token(user=request.user, share_id=share_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _bearer(request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


class SharedJobsView(APIView):
    # Public: the share token is the only credential, so no account authentication runs
    # (a share token in the Authorization header must not be tried as an API token).
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicAddressThrottle]

    @extend_schema(
        auth=[],
        operation_id="v1_shared_by_link",
        parameters=[
            OpenApiParameter(
                "token", str, OpenApiParameter.PATH,
                description="asthub_share_... (the link's own path; GET /api/v1/shared/ "
                "with Authorization: Bearer keeps it out of URLs).",
            )
        ],
        responses=SharedViewSerializer,
        summary="Read the jobs a share link covers (public, read-only)",
    )  # fmt: skip
    def get(self, request, token: str = ""):
        share = selectors.active_share(token or _bearer(request))
        # The owner's budget: a link is one more way into the account, not a new one.
        wait = count_request(account_rate_key(share.owner_id), share.owner)
        if wait is not None:
            raise Throttled(wait=wait)
        return Response(shared_view(share))


class SharedJobsByHeaderView(SharedJobsView):
    """The same answer with the token in `Authorization: Bearer`, where no log or history
    keeps it."""

    @extend_schema(
        auth=[],
        operation_id="v1_shared_by_header",
        responses=SharedViewSerializer,
        summary="Read the jobs a share link covers; the token in Authorization: Bearer",
    )
    def get(self, request):
        return super().get(request)
