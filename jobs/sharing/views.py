"""Portal pages for share links (the owner's list, create, revoke) and the public page a
link opens, which charts its jobs live by polling the public read API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from asthub_site.errors import HubError
from asthub_site.form_errors import show_error, show_error_on_form
from jobs import selectors as job_selectors
from jobs.public_rate import PublicAddressThrottle
from jobs.sharing import selectors, services
from jobs.sharing.forms import ShareForm
from jobs.sharing.public import shared_view
from jobs.sharing.urls_for import share_urls

RECENT_JOBS = 200
POLL_SECONDS = 10


@never_cache
@login_required
def sharing(request):
    jobs = job_selectors.jobs_for(request.user)
    if request.method != "POST":
        jobs = jobs[:RECENT_JOBS]  # what the form offers; a POST may name any own job
    form = ShareForm(request.POST or None, jobs=jobs)
    new_link = None
    if request.method == "POST" and form.is_valid():
        try:
            share, raw = services.create_share_token(
                user=request.user,
                job_ids=form.cleaned_data["job_ids"],
                label=form.cleaned_data["label"],
            )
        except HubError as error:
            show_error_on_form(form, error)
        else:
            # Rendered in this response only: the raw value is never stored or shown again.
            new_link = {"share": share, "raw": raw, **share_urls(raw)}
            form = ShareForm(jobs=jobs)
    return render(
        request,
        "jobs/sharing.html",
        {"form": form, "shares": selectors.share_tokens_for(request.user), "new_link": new_link},
    )


@login_required
@require_POST
def revoke_share(request, share_id: int):
    try:
        share = services.revoke_share_token(user=request.user, share_id=share_id)
    except HubError as error:
        show_error(request, error)
    else:
        messages.success(request, f"Revoked {share}; its page now answers “not found”.")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("portal:sharing")


@never_cache
def public_share(request, token: str):
    throttle = PublicAddressThrottle()
    if not throttle.allow_request(request, None):
        response = HttpResponse("Too many requests; try again in a minute.", status=429)
        response["Retry-After"] = str(int(throttle.wait() or 60))
        return response
    try:
        share = selectors.active_share(token)
    except HubError:
        return render(request, "404.html", status=404)
    return render(
        request,
        "jobs/share_public.html",
        {"view": shared_view(share), "token": token, "poll_seconds": POLL_SECONDS},
    )
