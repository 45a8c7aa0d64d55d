"""Portal pages that compare runs: the compare page (two to eight runs side by side, or an
AST run against its baseline in detail) and the runs table's "Compare selected"."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from asthub_site.errors import HubError
from asthub_site.form_errors import show_error_on_form
from jobs import reports, selectors
from jobs.compare_forms import MAX_COMPARED, selected_run_ids
from jobs.forms import CompareForm
from jobs.run_columns import chart_run, run_columns


@login_required
def compare_selected(request):
    """The runs table's "Compare selected": an AST run and a baseline go to the detailed
    comparison (the AST run first); more runs go side by side."""
    try:
        chosen = selected_run_ids(request.GET.getlist("run"))
    except HubError as error:
        messages.error(request, error.message)
        return redirect("portal:jobs")
    jobs = list(selectors.jobs_for(request.user).filter(pk__in=chosen))
    if len(jobs) != len(chosen):
        return render(request, "404.html", status=404)
    target = reverse("portal:compare")
    kinds = {job.is_baseline for job in jobs}
    if len(jobs) == 2 and kinds == {True, False}:
        ast, baseline = sorted(jobs, key=lambda job: job.is_baseline)
        query = {"ast_run_id": ast.pk, "baseline_run_id": baseline.pk}
        return redirect(f"{target}?{urlencode(query)}")
    return redirect(f"{target}?{urlencode([('run', pk) for pk in chosen])}")


@login_required
def compare(request):
    """`?run=1&run=2...`: the runs side by side. `?ast_run_id=&baseline_run_id=`: the
    detailed AST-versus-baseline table with its LaTeX and Markdown."""
    if "run" in request.GET:
        return _side_by_side(request)
    form = CompareForm(request.GET or None)
    comparison = None
    chart_runs = []
    if request.GET and form.is_valid():
        try:
            comparison = reports.compare(user=request.user, **form.cleaned_data)
        except HubError as error:
            show_error_on_form(form, error)
        else:
            shown = [comparison.ast_run_id, comparison.baseline_run_id]
            jobs = selectors.jobs_for(request.user).filter(pk__in=[pk for pk in shown if pk])
            chart_runs = [chart_run(job) for job in sorted(jobs, key=lambda job: job.is_baseline)]
    context = {"form": form, "comparison": comparison, "chart_runs": chart_runs}
    return render(request, "jobs/compare.html", context)


def _side_by_side(request):
    try:
        chosen = selected_run_ids(request.GET.getlist("run"))
    except HubError as error:
        context = {"form": CompareForm(), "run_error": error.message, "chart_runs": []}
        return render(request, "jobs/compare.html", context, status=400)
    found = {job.pk: job for job in selectors.jobs_for(request.user).filter(pk__in=chosen)}
    if len(found) != len(chosen):
        # Another tenant's run, or none at all: the same answer for both.
        return render(request, "404.html", status=404)
    jobs = [found[pk] for pk in chosen]
    context = {
        "form": CompareForm(),
        "runs": [run_columns(job) for job in jobs],
        "chart_runs": [chart_run(job) for job in jobs],
        "max_compared": MAX_COMPARED,
    }
    return render(request, "jobs/compare.html", context)
