"""Portal forms. They only shape input; the services decide what is valid."""

from django import forms

from accounts.models import ALL_SCOPES, Provider, Scope


class SignUpForm(forms.Form):
    email = forms.EmailField(max_length=254)
    password = forms.CharField(widget=forms.PasswordInput, max_length=128)
    password_again = forms.CharField(widget=forms.PasswordInput, max_length=128)

    def clean(self):
        data = super().clean()
        if data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class CredentialForm(forms.Form):
    provider = forms.ChoiceField(choices=Provider.choices)
    label = forms.CharField(max_length=64, required=False, initial="default")
    token = forms.CharField(
        max_length=512,
        required=False,
        widget=forms.PasswordInput,
        help_text="Kaggle API token or Hugging Face access token (hf_...).",
    )
    username = forms.CharField(max_length=150, required=False, help_text="Kaggle legacy key only.")
    key = forms.CharField(
        max_length=512, required=False, widget=forms.PasswordInput, help_text="Kaggle legacy key."
    )


class TokenForm(forms.Form):
    name = forms.CharField(max_length=64)
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=ALL_SCOPES,
    )
    expires_in_days = forms.IntegerField(
        min_value=1, max_value=366, required=False, help_text="Leave empty for no expiry."
    )
