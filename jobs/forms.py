"""Portal forms for jobs. They shape input; JobSpec and the services decide validity."""

from django import forms

from asthub_site.ids import MAX_ID
from asthub_spec import PLATFORMS, JobSpec
from billing.plans import Plan, plan_named
from jobs.hardware_offer import HardwareChoice, hardware_offer, hardware_refusal
from jobs.spec_form import CHOICE_LABELS, spec_form_fields, spec_from_form


class HardwareSelect(forms.Select):
    """A select whose options the plan does not allow stay listed, disabled, with why."""

    def __init__(self, *args, refused: frozenset[str] = frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.refused = refused

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.refused:
            option["attrs"]["disabled"] = True
        return option


class NewJobForm(forms.Form):
    """Every field of the job spec, derived from its one declaration (jobs.spec_form); the
    platform is a choice of all the hub's platforms and the hardware one of the chosen
    platform's, as the user's plan allows."""

    def __init__(self, *args, plan: Plan | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Without a user's plan (a schema comparison, say) the form offers what Free does.
        self.plan = plan or plan_named("free")
        self.fields.update(spec_form_fields())
        self.fields["platform"].widget = forms.RadioSelect(choices=self.fields["platform"].choices)
        offer = hardware_offer(self.plan)
        self.fields["hardware"].widget = HardwareSelect(
            choices=[
                (CHOICE_LABELS.get(platform, platform), [_hardware_option(c) for c in choices])
                for platform, choices in offer.items()
            ],
            refused=frozenset(
                c.name for choices in offer.values() for c in choices if not c.allowed
            ),
        )

    # Posted with the form but not part of the spec.
    FORM_CONTROLS = frozenset({"csrfmiddlewaretoken", "check"})

    def clean(self) -> dict:
        # A field the form does not have is refused as REST and MCP refuse it, rather than
        # dropped: a script posting `learning_rte` must hear about it.
        unknown = sorted(set(self.data) - set(self.fields) - self.FORM_CONTROLS)
        if unknown:
            raise forms.ValidationError(f"Unknown field(s): {', '.join(unknown)}.")
        cleaned = super().clean()
        # The service refuses it too (every surface does); here the refusal lands on the
        # field, with the plan that allows it, before anything is checked or reserved.
        refusal = hardware_refusal(
            self.plan,
            platform=cleaned.get("platform") or JobSpec.model_fields["platform"].default,
            hardware=cleaned.get("hardware") or "",
        )
        if refusal:
            self.add_error("hardware", refusal)
        return cleaned

    def spec_dict(self) -> dict:
        return spec_from_form(self.cleaned_data)


def _hardware_option(choice: HardwareChoice) -> tuple[str, str]:
    return (choice.name, choice.name if choice.allowed else f"{choice.name} ({choice.needs})")


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
