"""Portal pages that start runs: the new-job form and the catalog it picks from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.selectors import has_credential
from asthub_site.errors import HubError
from asthub_site.form_errors import show_error_on_form
from billing.effective_plan import effective_plan
from jobs import services
from jobs.catalog import search_catalog
from jobs.catalog_suggestions import catalog_suggestions, picker_catalog
from jobs.forms import CatalogSearchForm, NewJobForm
from jobs.hardware_offer import hardware_offer
from jobs.new_job_layout import form_sections
from jobs.platforms import ADAPTERS
from jobs.spec import JobSpec
from jobs.spec_form import CHOICE_LABELS


@login_required
def new_job(request):
    plan = effective_plan(request.user)
    form = NewJobForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        try:
            spec = JobSpec.from_dict(form.spec_dict())
            if "check" in request.POST:
                services.check_training(user=request.user, spec=spec)
                messages.info(request, checked_message(spec))
                return render(request, "jobs/new.html", page_context(request, form))
            job = services.start_training(user=request.user, spec=spec)
        except HubError as error:
            show_error_on_form(form, error)
        else:
            messages.success(request, f"Started job {job.pk}.")
            return redirect("portal:job", job_id=job.pk)
    return render(request, "jobs/new.html", page_context(request, form))


def page_context(request, form: NewJobForm) -> dict:
    sections, advanced = form_sections(form)
    offer = hardware_offer(form.plan)
    return {
        "form": form,
        "sections": sections,
        "advanced": advanced,
        # An error in a folded field opens the fold, or the error would go unseen.
        "advanced_errors": any(field.errors for field in advanced),
        "unconnected": unconnected_platforms(request.user),
        # What new_job.js reads: the hardware per platform and the catalog to search.
        "picker": {
            "catalog": picker_catalog(),
            "catalog_api": reverse("api-catalog"),
            "hardware": {
                platform: [choice.as_dict() for choice in choices]
                for platform, choices in offer.items()
            },
            "plan": form.plan.title,
            "large_models": form.plan.large_models,
        },
        **catalog_suggestions(),
    }


def unconnected_platforms(user) -> list[dict[str, str]]:
    """The platforms that train on the user's own account, where none is connected yet."""
    return [
        {"platform": platform, "label": CHOICE_LABELS.get(platform, platform)}
        for platform, adapter in ADAPTERS.items()
        if adapter.needs_credential and not has_credential(user, adapter.needs_credential)
    ]


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
