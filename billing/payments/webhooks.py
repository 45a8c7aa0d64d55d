"""POST /billing/stripe/webhook/: Stripe's events, verified with the SDK.

Answers: 200 once an event is applied or recognised as a replay; 400 for a bad or stale
signature or a body that is not an event (nothing changes); 404 when this hub has no
webhook secret; 503 with Retry-After when Stripe itself could not be read, so that Stripe
delivers the event again.
"""

import json
import logging

import stripe
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.payments.config import BillingUnavailable, webhooks_configured
from billing.payments.events import MalformedEvent, process_event

log = logging.getLogger(__name__)

# Stripe's own default: a signature older than this is refused as a replay.
SIGNATURE_TOLERANCE_SECONDS = 300


def _refused(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": "webhook_refused", "message": message}}, status=status)


@csrf_exempt  # Stripe signs the body; there is no session or CSRF token to check
@require_POST
def stripe_webhook(request):
    if not webhooks_configured():
        return _refused(404, "Billing webhooks are not configured on this hub.")
    signature = request.headers.get("Stripe-Signature", "")
    try:
        stripe.WebhookSignature.verify_header(
            request.body.decode("utf-8"),
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            SIGNATURE_TOLERANCE_SECONDS,
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError):
        return _refused(400, "The Stripe-Signature header does not verify for this body.")
    try:
        data = json.loads(request.body)
        outcome, replayed = process_event(data)
    except (ValueError, RecursionError) as error:  # MalformedEvent is a ValueError
        message = str(error) if isinstance(error, MalformedEvent) else "The body is not JSON."
        return _refused(400, message)
    except BillingUnavailable as error:
        log.warning("Stripe event deferred: %s", error.message)
        response = _refused(503, error.message)
        response["Retry-After"] = "60"
        return response
    return JsonResponse({"received": True, "replayed": replayed, "outcome": outcome})
