"""Portal pages for jobs: list, new-job form, live job page, compare, model-card preview."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from asthub_site.errors import HubError
from asthub_site.form_errors import show_error, show_error_on_form
from jobs import reports, run_table, selectors, services
from jobs.competition_views import submit_form_for
from jobs.energy_story import energy_saved
from jobs.figures import progress_figures
from jobs.forms import CardForm
from jobs.leaderboard.views import ListingForm
from jobs.models import JobStatus, LeaderboardEntry
from jobs.platforms import adapter_for
from jobs.publication_views import PublishRunForm
from jobs.reporting.card_html import render_card_html
from jobs.run_table import TableQuery, row_figures, runs_page
from jobs.sharing.selectors import share_tokens_for_job


@login_required
def job_list(request):
    query = TableQuery.of(request.GET)
    page = runs_page(request.user, query)
    return render(
        request,
        "jobs/list.html",
        {
            "page": page,
            "rows": [(job, row_figures(job)) for job in page],
            "query": query,
            "filters": urlencode(query.filters()),
            "sort_links": _sort_links(query),
            "statuses": JobStatus.values,
            "platforms": run_table.PLATFORMS,
        },
    )


def _sort_links(query: TableQuery) -> dict[str, dict[str, str]]:
    """Each sortable column's link (descending first, then ascending) and its arrow."""
    links = {}
    for key in run_table.SORTS:
        descending_now = query.sort == f"-{key}"
        params = query.filters() | {"sort": key if descending_now else f"-{key}"}
        arrow = "▼" if descending_now else "▲" if query.sort == key else ""
        links[key] = {"url": f"?{urlencode(params)}", "arrow": arrow}
    return links


@login_required
def job_detail(request, job_id: int):
    try:
        job = selectors.job_for(request.user, job_id)
    except HubError:
        return render(request, "404.html", status=404)
    artifacts = selectors.artifacts_of(job)
    progress = progress_figures(job)
    return render(
        request,
        "jobs/detail.html",
        {
            "job": job,
            "progress": progress,
            "saved": energy_saved(job, progress),
            "artifacts": artifacts,
            "submit_form": submit_form_for(job, artifacts),
            "submissions": job.submissions.order_by("-created_at")[:20],
            "config_json": json.dumps(job.config, indent=2, sort_keys=True),
            "card_form": CardForm(),
            "shares": share_tokens_for_job(request.user, job.pk),
            "listing": LeaderboardEntry.objects.filter(job=job).first(),
            "listing_form": ListingForm(),
            "confirm_cancel": request.GET.get("confirm_cancel") == "1" and not job.is_terminal,
            "can_stop": adapter_for(job.platform).can_cancel,
            "publish_form": PublishRunForm(initial={"target_ref": job.hf_repo}),
            "publications": job.publications.all()[:20],
        },
    )


@login_required
@require_POST
def cancel_job(request, job_id: int):
    confirm = request.POST.get("confirm") == "yes"
    try:
        services.cancel_training(user=request.user, job_id=job_id, confirm=confirm)
    except HubError as error:
        show_error(request, error)
        if error.status == 409 and not confirm:
            # The platform cannot stop the run: the job page now asks to confirm.
            return redirect(f"{reverse('portal:job', args=[job_id])}?confirm_cancel=1")
    return redirect("portal:job", job_id=job_id)


@login_required
@require_POST
def rerun_job(request, job_id: int):
    try:
        job = services.rerun_training(user=request.user, job_id=job_id)
    except HubError as error:
        show_error(request, error)
        return redirect("portal:job", job_id=job_id)
    messages.success(request, f"Started job {job.pk}, identical to job {job_id}.")
    return redirect("portal:job", job_id=job.pk)


@login_required
def model_card(request, job_id: int):
    """The latest card rendered (sanitised, plots inline), with its front matter apart;
    ``?download=README.md`` answers the stored Markdown itself as a file."""
    try:
        job = selectors.job_for(request.user, job_id)
    except HubError:
        return render(request, "404.html", status=404)
    card = reports.latest_card(user=request.user, job_id=job.pk)
    if request.method == "GET" and "download" in request.GET:
        if card is None:
            return render(request, "404.html", status=404)
        response = HttpResponse(card.markdown, content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="README.md"'
        return response
    form = CardForm(request.POST or None, initial={"template": card.template if card else None})
    if request.method == "POST" and form.is_valid():
        try:
            reports.create_model_card(
                user=request.user, run_id=job.pk, template=form.cleaned_data["template"]
            )
        except HubError as error:
            show_error_on_form(form, error)
        else:
            return redirect("portal:model_card", job_id=job.pk)
    rendered = None
    if card is not None:
        rendered = render_card_html(
            card.markdown,
            job_id=job.pk,
            artifact_names=[artifact.name for artifact in selectors.artifacts_of(job)],
        )
    return render(
        request,
        "jobs/card.html",
        {"job": job, "card": card, "rendered": rendered, "form": form},
    )
