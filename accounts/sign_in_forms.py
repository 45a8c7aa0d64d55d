"""The password sign-in forms, the portal's and the admin's, with the sign-in throttle in
front of the password check (accounts/sign_in_throttle.py)."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.sign_in_throttle import record_failed_sign_in, refusal_message, sign_in_wait

THROTTLED = "throttled"


class ThrottledSignInMixin:
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        wait = sign_in_wait(username=username, address=address)
        if wait is not None:
            # Refused before the password is looked at: a guess now tells nothing.
            raise ValidationError(refusal_message(wait), code=THROTTLED)
        try:
            return super().clean()
        except ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                record_failed_sign_in(username=username, address=address)
            raise

    def was_throttled(self) -> bool:
        return any(error.code == THROTTLED for error in self.non_field_errors().as_data())


class SignInForm(ThrottledSignInMixin, AuthenticationForm):
    pass


class AdminSignInForm(ThrottledSignInMixin, AdminAuthenticationForm):
    pass
