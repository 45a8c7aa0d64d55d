"""Portal views for Hugging Face OAuth: Connect (from Credentials), Sign in (from the
login page), the one callback both return to, and the e-mail step for a newcomer whose
Hugging Face account shows no verified address."""

import logging
import time

from authlib.integrations.base_client import OAuthError
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.crypto import CredentialDecryptionError, decrypt_secret, encrypt_secret
from accounts.next_url import safe_next
from accounts.oauth import provider
from accounts.oauth.forms import NewAccountEmailForm
from accounts.oauth.services import (
    HFIdentity,
    connect_huggingface,
    sign_in_with_huggingface,
)
from accounts.sign_in_forms import SignInForm
from asthub_site.errors import HubError
from asthub_site.form_errors import show_error_on_form

log = logging.getLogger(__name__)

INTENTS = "hf_oauth_intents"  # session: {state: {"intent", "user_id"}}
PENDING = "hf_oauth_pending"  # session: encrypted token + identity awaiting an e-mail
PENDING_SECONDS = 600
# Pending sign-ins are encrypted for "no user yet": ids start at 1, so 0 is nobody's.
NO_OWNER = 0
MAX_OPEN_FLOWS = 5
BACKEND = "django.contrib.auth.backends.ModelBackend"


class HubLoginView(LoginView):
    """The password login page, offering "Sign in with Hugging Face" when configured."""

    redirect_authenticated_user = True
    form_class = SignInForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"hf_oauth_enabled": provider.is_configured()}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.was_throttled():
            response.status_code = 429  # the page still says why, and when to come back
        return response


def _start(request, *, intent: str, scope: str, back: str):
    if not provider.is_configured():
        messages.error(request, "Hugging Face sign-in is not configured on this hub.")
        return redirect(back)
    client = provider.oauth_client()
    redirect_uri = request.build_absolute_uri(reverse("hf_oauth_callback"))
    try:
        flow = client.create_authorization_url(redirect_uri, scope=scope)
    except (*provider.NETWORK_ERRORS, provider.ProviderBusy) as exc:
        log.warning("Hugging Face OAuth discovery failed: %s", exc)
        messages.error(request, "Hugging Face cannot be reached right now; try again shortly.")
        return redirect(back)
    # Authlib keeps state, PKCE verifier, nonce and redirect URI in the session.
    client.save_authorize_data(request, redirect_uri=redirect_uri, **flow)
    intents = dict(list(request.session.get(INTENTS, {}).items())[-(MAX_OPEN_FLOWS - 1) :])
    intents[flow["state"]] = {
        "intent": intent,
        "user_id": request.user.pk,
        "next": safe_next(request, request.POST.get("next")),
    }
    request.session[INTENTS] = intents
    return redirect(flow["url"])


@login_required
@require_POST
def connect(request):
    return _start(
        request, intent="connect", scope=provider.CONNECT_SCOPES, back="portal:credentials"
    )


@require_POST
def sign_in(request):
    return _start(request, intent="login", scope=provider.SIGN_IN_SCOPES, back="login")


def _finish_flow(request):
    """Exchange the code (state and PKCE checked by Authlib) and ask who signed in."""
    client = provider.oauth_client()
    token = client.authorize_access_token(request)
    identity = HFIdentity.from_userinfo(client.userinfo(token=token))
    claims = token.get("userinfo") or {}  # the verified ID token's claims
    if claims and claims.get("sub") != identity.subject:
        raise OAuthError(description="the ID token and userinfo name different accounts")
    token.pop("userinfo", None)
    return dict(token), identity


@never_cache
def callback(request):
    started = request.session.get(INTENTS, {}).get(request.GET.get("state", ""))
    if started is None:
        messages.error(request, "This Hugging Face sign-in expired or was not started here.")
        return redirect("portal:credentials" if request.user.is_authenticated else "login")
    intents = request.session[INTENTS]
    intents.pop(request.GET["state"])
    request.session[INTENTS] = intents
    connecting = started["intent"] == "connect"
    back = "portal:credentials" if connecting else "login"
    if connecting and (not request.user.is_authenticated or request.user.pk != started["user_id"]):
        messages.error(request, "Log in to the hub account you started connecting from.")
        return redirect("login")
    try:
        token, identity = _finish_flow(request)
    except OAuthError as exc:
        reason = "you declined" if exc.error == "access_denied" else exc.description or exc.error
        messages.error(request, f"Hugging Face did not authorize the hub ({reason}).")
        return redirect(back)
    except (*provider.NETWORK_ERRORS, provider.ProviderBusy, HubError) as exc:
        log.warning("Hugging Face OAuth callback failed: %s", exc)
        messages.error(request, "Hugging Face could not be reached to finish; try again.")
        return redirect(back)
    if connecting:
        return _connected(request, token, identity)
    return _signed_in(request, token, identity, next_url=safe_next(request, started.get("next")))


def _connected(request, token, identity: HFIdentity):
    try:
        connect_huggingface(user=request.user, token=token, identity=identity)
    except HubError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Connected the Hugging Face account {identity.username}.")
    return redirect("portal:credentials")


def _signed_in(request, token, identity: HFIdentity, next_url: str):
    try:
        user = sign_in_with_huggingface(token=token, identity=identity, email="")
    except HubError as error:
        if "email" in error.fields and not (identity.email and identity.email_verified):
            _keep_pending(request, token, identity, next_url)
            if error.fields["email"]:
                messages.error(request, error.message)
            return redirect("hf_oauth_email")
        messages.error(request, error.message)
        return redirect("login")
    request.session.pop(PENDING, None)
    login(request, user, backend=BACKEND)
    messages.success(request, f"Signed in with Hugging Face as {identity.username}.")
    return redirect(next_url)


def _keep_pending(request, token, identity: HFIdentity, next_url: str) -> None:
    until = time.time() + PENDING_SECONDS
    payload = {"token": token, "identity": identity.__dict__, "until": until, "next": next_url}
    request.session[PENDING] = encrypt_secret(owner_id=NO_OWNER, secret=payload)


def _pending(request):
    ciphertext = request.session.get(PENDING)
    if not ciphertext:
        return None
    try:
        payload = decrypt_secret(owner_id=NO_OWNER, ciphertext=ciphertext)
    except CredentialDecryptionError:
        return None
    if payload["until"] < time.time():
        return None
    return payload["token"], HFIdentity(**payload["identity"]), payload.get("next", "")


@never_cache
def new_account_email(request):
    pending = _pending(request)
    if pending is None:
        request.session.pop(PENDING, None)
        messages.error(request, "Start again with “Sign in with Hugging Face”.")
        return redirect("login")
    token, identity, next_url = pending
    form = NewAccountEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in_with_huggingface(
                token=token, identity=identity, email=form.cleaned_data["email"]
            )
        except HubError as error:
            show_error_on_form(form, error)
        else:
            request.session.pop(PENDING, None)
            login(request, user, backend=BACKEND)
            messages.success(request, f"Welcome, {identity.username}: signed in with Hugging Face.")
            return redirect(safe_next(request, next_url))
    return render(request, "accounts/hf_email.html", {"form": form, "username": identity.username})
