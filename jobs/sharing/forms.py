"""Portal form for a new share link: which of the user's jobs, and a label."""

from django import forms

from jobs.sharing.services import MAX_LABEL


class ShareForm(forms.Form):
    job_ids = forms.TypedMultipleChoiceField(
        coerce=int,
        label="Jobs",
        help_text="Anyone with the link sees these jobs' status and metrics, nothing else.",
    )
    label = forms.CharField(max_length=MAX_LABEL, required=False)

    def __init__(self, *args, jobs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job_ids"].choices = [
            (job.pk, f"#{job.pk} {job.name or job.dataset} ({job.status})") for job in jobs
        ]
