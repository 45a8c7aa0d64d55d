"""Portal: the public leaderboard page and the owner's opt-in form on the job page."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from asthub_site.errors import HubError
from asthub_site.form_errors import show_error
from jobs.leaderboard import selectors, services
from jobs.leaderboard.services import MAX_DISPLAY_NAME
from jobs.public_rate import PublicAddressThrottle


class ListingForm(forms.Form):
    listed = forms.BooleanField(required=False, label="List on the public leaderboard")
    display_name = forms.CharField(
        max_length=MAX_DISPLAY_NAME,
        required=False,
        help_text='Shown on the board instead of your account; empty shows "anonymous".',
    )


def leaderboard_page(request):
    throttle = PublicAddressThrottle()
    if not throttle.allow_request(request, None):
        response = HttpResponse("Too many requests; try again in a minute.", status=429)
        response["Retry-After"] = str(int(throttle.wait() or 60))
        return response
    dataset = request.GET.get("dataset") or None
    board = selectors.leaderboard(dataset=dataset)
    return render(request, "jobs/leaderboard.html", {"board": board, "dataset": dataset})


@login_required
@require_POST
def set_listing(request, job_id: int):
    form = ListingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the display name (at most 40 characters).")
        return redirect("portal:job", job_id=job_id)
    try:
        entry = services.set_leaderboard_listing(
            user=request.user, job_id=job_id, **form.cleaned_data
        )
    except HubError as error:
        show_error(request, error)
    else:
        if entry is None:
            messages.success(request, f"Job {job_id} is not on the public leaderboard.")
        else:
            messages.success(
                request,
                f"Job {job_id} is listed as {entry.display_name or 'anonymous'}; it appears on "
                "the leaderboard once published.",
            )
    return redirect("portal:job", job_id=job_id)
