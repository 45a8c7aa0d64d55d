"""Portal pages for the account: sign-up, dashboard, credentials, tokens, connected apps."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import CredentialForm, SignUpForm, TokenForm
from accounts.next_url import safe_next
from accounts.oauth.provider import is_configured as hf_oauth_configured
from accounts.oauth_server.presenters import present_connection
from accounts.oauth_server.resources import mcp_resource
from accounts.oauth_server.selectors import connections_for
from accounts.oauth_server.services import revoke_connection
from asthub_site.errors import HubError
from asthub_site.form_errors import show_error, show_error_on_form
from billing.selectors import usage_for


def home(request):
    if request.user.is_authenticated:
        return redirect("portal:dashboard")
    return render(request, "accounts/home.html")


def sign_up(request):
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.sign_up(
                email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
        except HubError as error:
            show_error_on_form(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome! Your account is on the Free plan.")
            return redirect(next_url)
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
def dashboard(request):
    return render(
        request,
        "accounts/dashboard.html",
        {
            "usage": usage_for(request.user),
            "credentials": selectors.credentials_for(request.user),
            "tokens": selectors.tokens_for(request.user, include_inactive=False),
        },
    )


@login_required
def credentials(request):
    form = CredentialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            credential = services.add_credential(
                user=request.user, data=services.CredentialInput(**form.cleaned_data)
            )
        except HubError as error:
            show_error_on_form(form, error)
        else:
            messages.success(request, f"Added {credential}.")
            return redirect("portal:credentials")
    return render(
        request,
        "accounts/credentials.html",
        {
            "form": form,
            "credentials": selectors.credentials_for(request.user),
            "hf_oauth_enabled": hf_oauth_configured(),
        },
    )


@login_required
@require_POST
def remove_credential(request, credential_id: int):
    try:
        services.remove_credential(user=request.user, credential_id=credential_id)
    except HubError as error:
        show_error(request, error)
    else:
        messages.success(request, "Credential removed.")
    return redirect("portal:credentials")


@never_cache
@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data.get("expires_in_days")
        try:
            token, raw = services.create_token(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except HubError as error:
            show_error_on_form(form, error)
        else:
            # Rendered in this response only: the raw value is never stored or shown again.
            new_token = {"token": token, "raw": raw}
            form = TokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": selectors.tokens_for(request.user),
            "new_token": new_token,
            "mcp_url": request.build_absolute_uri("/mcp"),
        },
    )


@login_required
@require_POST
def revoke_token(request, token_id: int):
    try:
        token = services.revoke_token(user=request.user, token_id=token_id)
    except HubError as error:
        show_error(request, error)
    else:
        messages.success(request, f"Revoked {token}.")
    return redirect("portal:tokens")


@login_required
@never_cache
def connected_apps(request):
    return render(
        request,
        "oauth_server/connected_apps.html",
        {
            "connections": [present_connection(c) for c in connections_for(request.user)],
            "mcp_url": mcp_resource(),
        },
    )


@login_required
@require_POST
def revoke_connected_app(request, connection_id: int):
    try:
        revoke_connection(user=request.user, connection_id=connection_id)
    except HubError as error:
        show_error(request, error)
    else:
        messages.success(request, "Disconnected: the app's tokens no longer work.")
    return redirect("portal:connected_apps")
