"""The one form of the sign-in flow: an e-mail address for a newcomer's account."""

from django import forms


class NewAccountEmailForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        help_text="For your new hub account (Hugging Face did not share a verified one).",
    )
