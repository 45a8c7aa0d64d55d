"""REST endpoint for plan and usage."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import RequiresScope
from billing.selectors import usage_for
from billing.serializers import UsageSerializer


class UsageView(APIView):
    permission_classes = APIView.permission_classes + [RequiresScope]
    required_scopes = {"GET": "billing:read"}

    @extend_schema(responses=UsageSerializer, summary="Plan, limits and this month's usage")
    def get(self, request):
        return Response(usage_for(request.user).as_dict())
