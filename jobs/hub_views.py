"""Portal pages for the Hugging Face Hub extras: collections and dashboard Spaces."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from asthub_site.errors import HubError
from asthub_site.form_errors import show_error, show_error_on_form
from asthub_site.ids import non_negative_int
from jobs.platforms.huggingface.collections import MAX_TITLE, create_collection
from jobs.sharing import dashboard_space as dashboard

_SPLIT = re.compile(r"[\s,]+")


def _words(text: str) -> list[str]:
    return [word for word in _SPLIT.split(text or "") if word]


class CollectionForm(forms.Form):
    title = forms.CharField(max_length=MAX_TITLE, help_text="e.g. AST-CIFAR100")
    job_ids = forms.CharField(
        required=False, label="Runs", help_text="Ids of runs published to the Hub: 12, 13"
    )
    repo_ids = forms.CharField(
        required=False, label="Hub models", help_text="Repo ids: alice/digits-ast"
    )
    description = forms.CharField(max_length=500, required=False)
    private = forms.TypedChoiceField(
        label="Visibility",
        choices=[
            ("", "Private if any model is private"),
            ("true", "Private"),
            ("false", "Public"),
        ],
        coerce=lambda value: value == "true",
        empty_value=None,
        required=False,
    )

    def clean_job_ids(self) -> list[int]:
        words = _words(self.cleaned_data["job_ids"])
        ids = [non_negative_int(word) for word in words]
        if None in ids:
            raise forms.ValidationError("Run ids are numbers separated by commas.")
        return ids

    def clean_repo_ids(self) -> list[str]:
        return _words(self.cleaned_data["repo_ids"])


@login_required
def collections(request):
    form = CollectionForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            made = create_collection(user=request.user, **form.cleaned_data)
        except HubError as error:
            show_error_on_form(form, error)
    return render(request, "jobs/collections.html", {"form": form, "collection": made})


@login_required
@require_POST
def deploy_dashboard(request, job_id: int):
    space = (request.POST.get("space") or "").strip()[:200]
    try:
        deployed = dashboard.deploy_dashboard(user=request.user, job_ids=[job_id], space=space)
    except HubError as error:
        show_error(request, error)
    else:
        messages.success(request, f"Dashboard Space deployed: {deployed.url}")
    return redirect("portal:job", job_id=job_id)
