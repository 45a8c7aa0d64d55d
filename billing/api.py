"""REST endpoints for plan, usage and billing."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import RequiresScope
from billing.payments.sessions import open_billing_portal, start_checkout
from billing.selectors import usage_for
from billing.serializers import UrlSerializer, UsageSerializer


class UsageView(APIView):
    permission_classes = APIView.permission_classes + [RequiresScope]
    required_scopes = {"GET": "billing:read"}

    @extend_schema(responses=UsageSerializer, summary="Plan, limits and this month's usage")
    def get(self, request):
        return Response(usage_for(request.user).as_dict())


class CheckoutView(APIView):
    permission_classes = APIView.permission_classes + [RequiresScope]
    required_scopes = {"POST": "billing:write"}

    @extend_schema(
        request=None,
        responses={201: UrlSerializer},
        summary="Start Stripe Checkout for Pro; open the returned URL in a browser",
    )
    def post(self, request):
        return Response({"url": start_checkout(user=request.user)}, status=201)


class BillingPortalView(APIView):
    permission_classes = APIView.permission_classes + [RequiresScope]
    required_scopes = {"POST": "billing:write"}

    @extend_schema(
        request=None,
        responses={201: UrlSerializer},
        summary="Open the Stripe Customer Portal: card, invoices, cancellation",
    )
    def post(self, request):
        return Response({"url": open_billing_portal(user=request.user)}, status=201)
