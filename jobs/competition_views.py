"""The portal's side of Kaggle competitions: submit one of a run's output files from its
page, and see each submission's status and public score there."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from asthub_site.errors import HubError, InvalidInput
from asthub_site.form_errors import show_error
from jobs.competitions import MAX_MESSAGE, submit_to_competition


class SubmitRunForm(forms.Form):
    competition = forms.CharField(
        max_length=100,
        label="Competition",
        help_text="As in kaggle.com/competitions/NAME; accept its rules there first.",
    )
    file = forms.ChoiceField(label="File", help_text="One of the run's outputs.")
    message = forms.CharField(max_length=MAX_MESSAGE, required=False, label="Description")

    def __init__(self, *args, files: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].choices = [(name, name) for name in files]


def submit_form_for(job, artifacts) -> SubmitRunForm:
    """The form a job page offers: its CSV outputs, submission.csv first, and the
    competition the run trained on already filled in."""
    names = sorted(
        (a.name for a in artifacts if a.name.endswith(".csv")),
        key=lambda name: (name != "submission.csv", name),
    )
    attached = ((job.platform_state or {}).get("data_sources") or {}).get("competitions") or []
    initial = {"competition": attached[0] if attached else "", "file": names[0] if names else ""}
    return SubmitRunForm(files=names, initial=initial)


@login_required
@require_POST
def submit_run(request, job_id: int):
    file = request.POST.get("file", "")
    form = SubmitRunForm(request.POST, files=[file] if file else [])
    try:
        if not form.is_valid():
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            raise InvalidInput(f"Check the submission: {problems}")
        submission = submit_to_competition(
            user=request.user,
            run_id=job_id,
            competition=form.cleaned_data["competition"],
            file=form.cleaned_data["file"],
            message=form.cleaned_data["message"],
        )
    except HubError as error:
        show_error(request, error)
    else:
        messages.success(
            request,
            f"Submitted {submission.file_name} to {submission.competition} (submission "
            f"{submission.pk}); Kaggle is scoring it.",
        )
    return redirect("portal:job", job_id=job_id)
