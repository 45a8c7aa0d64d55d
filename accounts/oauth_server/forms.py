"""The consent form: the toolkit's hidden fields, plus the scopes the person grants."""

from django import forms
from oauth2_provider.forms import AllowForm

from accounts.models import Scope


class ConsentForm(AllowForm):
    granted_scopes = forms.MultipleChoiceField(
        choices=Scope.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean(self):
        data = super().clean()
        requested = set((data.get("scope") or "").split())
        granted = data.get("granted_scopes") or []
        if data.get("allow"):
            if not granted:
                raise forms.ValidationError("Choose at least one scope to allow, or Deny.")
            beyond = sorted(set(granted) - requested)
            if beyond:
                raise forms.ValidationError(
                    f"The app did not ask for {', '.join(beyond)}; you can only narrow its request."
                )
            # What the toolkit issues is what the person ticked, in the request's order.
            data["scope"] = " ".join(scope for scope in Scope.values if scope in granted)
        return data
