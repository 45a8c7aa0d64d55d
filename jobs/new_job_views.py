"""Portal pages that start runs: the new-job form and the catalog it picks from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from asthub_site.errors import HubError
from asthub_site.form_errors import show_error_on_form
from jobs import services
from jobs.catalog import search_catalog
from jobs.catalog_suggestions import catalog_suggestions
from jobs.forms import CatalogSearchForm, NewJobForm
from jobs.spec import JobSpec


@login_required
def new_job(request):
    form = NewJobForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            spec = JobSpec.from_dict(form.spec_dict())
            if "check" in request.POST:
                services.check_training(user=request.user, spec=spec)
                messages.info(request, checked_message(spec))
                return render(request, "jobs/new.html", {"form": form, **catalog_suggestions()})
            job = services.start_training(user=request.user, spec=spec)
        except HubError as error:
            show_error_on_form(form, error)
        else:
            messages.success(request, f"Started job {job.pk}.")
            return redirect("portal:job", job_id=job.pk)
    return render(request, "jobs/new.html", {"form": form, **catalog_suggestions()})


def checked_message(spec: JobSpec) -> str:
    source = spec.engine_config()["dataset"]
    return (
        f"{spec.model} on {spec.dataset} can start on {spec.platform} ({spec.hardware}); "
        f"the engine will read {source}. Nothing was started."
    )


@login_required
def catalog_page(request):
    """The catalog, searchable: what a job may name and where each platform gets it."""
    form = CatalogSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = search_catalog(
        kind=filters.get("kind") or None,
        platform=filters.get("platform") or None,
        query=filters.get("q") or "",
    )
    return render(
        request,
        "jobs/catalog.html",
        {"form": form, "entries": entries[:200], "count": len(entries)},
    )
