"""Portal pages that compare runs: the compare page and the runs table's "Compare selected"."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from asthub_site.errors import HubError
from asthub_site.form_errors import show_error_on_form
from jobs import reports, selectors
from jobs.forms import CompareForm


@login_required
def compare_selected(request):
    """The runs table's "Compare selected": two runs, the AST one first."""
    chosen = [value for value in request.GET.getlist("run") if value.isdigit()][:3]
    if len(chosen) != 2:
        messages.error(request, "Select two runs to compare (an AST run and a baseline).")
        return redirect("portal:jobs")
    jobs = {job.pk: job for job in selectors.jobs_for(request.user).filter(pk__in=chosen)}
    if len(jobs) != 2:
        return render(request, "404.html", status=404)
    ast, other = sorted(jobs.values(), key=lambda job: (job.is_baseline, job.pk))
    target = reverse("portal:compare")
    return redirect(f"{target}?{urlencode({'ast_run_id': ast.pk, 'baseline_run_id': other.pk})}")


@login_required
def compare(request):
    form = CompareForm(request.GET or None)
    comparison = None
    if request.GET and form.is_valid():
        try:
            comparison = reports.compare(user=request.user, **form.cleaned_data)
        except HubError as error:
            show_error_on_form(form, error)
    return render(request, "jobs/compare.html", {"form": form, "comparison": comparison})
