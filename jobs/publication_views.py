"""Portal pages for publishing: publish a run from its page, copy a model between
platforms, and follow every publication's status."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from asthub_site.errors import HubError
from asthub_site.form_errors import show_error, show_error_on_form
from jobs.models import Publication
from jobs.publishing.services import sync_model

TARGETS = [("huggingface", "Hugging Face Hub"), ("kaggle", "Kaggle Models")]
SOURCES = [("huggingface", "Hugging Face Hub"), ("kaggle", "Kaggle (kernel outputs)")]


class PublishRunForm(forms.Form):
    to_platform = forms.ChoiceField(choices=TARGETS, label="Publish to")
    target_ref = forms.CharField(
        max_length=300,
        required=False,
        label="Repository / model handle",
        help_text="e.g. alice/digits-ast; empty picks a name from the run.",
    )
    public = forms.BooleanField(required=False, help_text="Private unless ticked.")


class CopyModelForm(forms.Form):
    from_platform = forms.ChoiceField(choices=SOURCES, label="From")
    source_ref = forms.CharField(
        max_length=300, label="Source", help_text="alice/model or owner/kernel"
    )
    to_platform = forms.ChoiceField(
        choices=[("local", "This hub (keep a copy)")] + TARGETS, label="To"
    )
    target_ref = forms.CharField(max_length=300, required=False, label="Target (optional)")
    public = forms.BooleanField(required=False)


@login_required
@require_POST
def publish_run(request, job_id: int):
    form = PublishRunForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose where to publish the run.")
        return redirect("portal:job", job_id=job_id)
    try:
        publication = sync_model(
            user=request.user,
            job_id=job_id,
            to_platform=form.cleaned_data["to_platform"],
            target_ref=form.cleaned_data["target_ref"],
            private=not form.cleaned_data["public"],
        )
    except HubError as error:
        show_error(request, error)
        return redirect("portal:job", job_id=job_id)
    messages.success(request, f"Publishing started (publication {publication.pk}).")
    return redirect("portal:publications")


@login_required
def publications(request):
    form = CopyModelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            publication = sync_model(
                user=request.user,
                from_platform=data["from_platform"],
                source_ref=data["source_ref"],
                to_platform=data["to_platform"],
                target_ref=data["target_ref"],
                private=not data["public"],
            )
        except HubError as error:
            show_error_on_form(form, error)
        else:
            messages.success(request, f"Copy started (publication {publication.pk}).")
            return redirect("portal:publications")
    rows = Publication.objects.for_user(request.user).select_related("job")[:100]
    return render(request, "jobs/publications.html", {"publications": rows, "form": form})
