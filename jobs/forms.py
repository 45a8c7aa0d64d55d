"""Portal forms for jobs. They shape input; JobSpec and the services decide validity."""

from django import forms

from asthub_site.ids import MAX_ID
from asthub_spec import PLATFORMS
from jobs.spec_form import spec_form_fields, spec_from_form


class NewJobForm(forms.Form):
    """Every field of the job spec, derived from its one declaration (jobs.spec_form)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(spec_form_fields())

    # Posted with the form but not part of the spec.
    FORM_CONTROLS = frozenset({"csrfmiddlewaretoken", "check"})

    def clean(self) -> dict:
        # A field the form does not have is refused as REST and MCP refuse it, rather than
        # dropped: a script posting `learning_rte` must hear about it.
        unknown = sorted(set(self.data) - set(self.fields) - self.FORM_CONTROLS)
        if unknown:
            raise forms.ValidationError(f"Unknown field(s): {', '.join(unknown)}.")
        return super().clean()

    def spec_dict(self) -> dict:
        return spec_from_form(self.cleaned_data)


class CatalogSearchForm(forms.Form):
    q = forms.CharField(max_length=100, required=False, label="Search")
    kind = forms.ChoiceField(
        choices=[("", "Data sets and models"), ("dataset", "Data sets"), ("model", "Models")],
        required=False,
    )
    platform = forms.ChoiceField(
        choices=[("", "Any platform")] + [(name, name) for name in PLATFORMS], required=False
    )


class CompareForm(forms.Form):
    ast_run_id = forms.IntegerField(min_value=1, max_value=MAX_ID, label="AST run")
    baseline_run_id = forms.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        label="Baseline run",
        help_text="Empty: its paired baseline, or an estimate.",
    )


class CardForm(forms.Form):
    template = forms.ChoiceField(
        choices=[("standard", "Standard"), ("competition", "Competition"), ("research", "Research")]
    )
