"""The portal's Plan & billing page and its two buttons, each a trip to Stripe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from asthub_site.errors import HubError
from asthub_site.form_errors import show_error
from billing.payments.sessions import open_billing_portal, start_checkout
from billing.payments.sync import confirm_checkout
from billing.plans import PRO
from billing.selectors import usage_for


def _offer() -> str:
    limits = PRO.limits()
    parts = [
        f"{limits['monthly_jobs']} jobs a month",
        f"{limits['concurrent_jobs']} at once",
        f"{limits['max_runtime_hours']}-hour runs",
        f"{limits['artifact_storage_gb']} GB of artifacts",
        f"{limits['api_requests_per_minute']} requests a minute",
        "all hardware and large models",
    ]
    return f"{', '.join(parts)}; ${PRO.monthly_price_usd} a month."


@login_required
def billing_page(request):
    outcome = request.GET.get("checkout")
    if outcome == "success" and request.GET.get("session_id"):
        # Apply the new subscription now: the webhook may arrive after the person does.
        try:
            done = confirm_checkout(user=request.user, session_id=request.GET["session_id"][:255])
        except HubError as error:
            show_error(request, error)
        else:
            if done is not None:
                messages.success(request, "Thank you: this account is on Pro now.")
        return redirect("portal:billing")
    if outcome == "cancelled":
        messages.info(request, "Checkout was cancelled; nothing was charged.")
        return redirect("portal:billing")
    usage = usage_for(request.user)
    return render(
        request,
        "billing/billing.html",
        {"usage": usage, "billing": usage.billing, "pro_offer": _offer()},
    )


@login_required
@require_POST
def billing_checkout(request):
    try:
        url = start_checkout(user=request.user)
    except HubError as error:
        show_error(request, error)
        return redirect("portal:billing")
    return redirect(url)


@login_required
@require_POST
def billing_manage(request):
    try:
        url = open_billing_portal(user=request.user)
    except HubError as error:
        show_error(request, error)
        return redirect("portal:billing")
    return redirect(url)
