"""The authorization server's endpoints, as the toolkit's views with the hub's policy:
a consent page in the portal (narrowable scopes, S256 only, known resources only),
registration limited per address, and the protected-resource metadata of /mcp."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.views import (
    AuthorizationView,
    DynamicClientRegistrationManagementView,
    DynamicClientRegistrationView,
    OAuthProtectedResourceMetadataView,
    TokenView,
)
from oauthlib.oauth2.rfc6749.errors import CustomOAuth2Error

from accounts.models import Scope
from accounts.oauth_server import registration
from accounts.oauth_server.forms import ConsentForm
from accounts.oauth_server.presenters import client_label
from accounts.oauth_server.resources import mcp_resource, unknown_resources
from accounts.oauth_server.services import record_consent


def _refusal(error: str, description: str, credentials: dict) -> OAuthToolkitError:
    return OAuthToolkitError(
        error=CustomOAuth2Error(
            error=error, description=description, state=credentials.get("state")
        ),
        redirect_uri=credentials.get("redirect_uri"),
    )


class ConsentView(AuthorizationView):
    """GET /authorize shows who asks for what; POST grants what the person ticked."""

    template_name = "oauth_server/consent.html"
    form_class = ConsentForm

    def validate_authorization_request(self, request):
        scopes, credentials = super().validate_authorization_request(request)
        # oauthlib reads a missing method as "plain"; OAuth 2.1 allows S256 only.
        if request.GET.get("code_challenge_method") != "S256":
            raise _refusal(
                "invalid_request",
                "code_challenge_method must be S256 (plain PKCE is not accepted).",
                credentials,
            )
        unknown = unknown_resources(request.GET.getlist("resource"))
        if unknown:
            raise _refusal(
                "invalid_target",
                f"This hub issues tokens for {mcp_resource()} only, not {', '.join(unknown)}.",
                credentials,
            )
        return scopes, credentials

    def get_initial(self):
        initial = super().get_initial()
        initial["granted_scopes"] = (initial.get("scope") or "").split()
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        if application is None:  # an error page: there is nobody to describe
            return context
        requested = context["form"].initial.get("scope") or ""
        return context | _describe(application, context.get("redirect_uri") or "", requested)

    def form_invalid(self, form):
        # The toolkit renders only from GET's data; describe the client again from the form.
        application = _application(form.data.get("client_id"))
        if application is None:
            return super().form_invalid(form)
        described = _describe(
            application, form.data.get("redirect_uri", ""), form.data.get("scope", "")
        )
        return self.render_to_response({"form": form, "application": application, **described})

    def form_valid(self, form):
        credentials = {
            "redirect_uri": form.cleaned_data.get("redirect_uri"),
            "state": form.cleaned_data.get("state"),
        }
        application = _application(form.cleaned_data["client_id"])
        if application is None:  # the hidden client_id was edited after GET checked it
            error = {"error": "invalid_client", "description": "Unknown client."}
            return self.render_to_response({"error": error}, status=400)
        unknown = unknown_resources((form.cleaned_data.get("resource") or "").split())
        if unknown:  # so was the hidden resource
            return self.error_response(
                _refusal("invalid_target", "Unknown resource.", credentials), application
            )
        if not form.cleaned_data.get("allow"):
            return super().form_valid(form)  # the toolkit answers access_denied
        self.success_url = None
        with transaction.atomic():
            response = super().form_valid(form)
            if self.success_url:  # a code was issued
                record_consent(
                    user=self.request.user,
                    application=application,
                    scopes=form.cleaned_data["scope"].split(),
                )
        return response


def _application(client_id: str | None):
    return get_application_model().objects.filter(client_id=client_id or "").first()


def _describe(application, redirect_uri: str, requested_scope: str) -> dict:
    """What the consent page says of a client: its name, where it returns, what it asks."""
    requested = requested_scope.split()
    return {
        "client_name": client_label(application),
        "redirect_host": urlsplit(redirect_uri).netloc or redirect_uri,
        "scope_choices": [(s.value, s.label) for s in Scope if s.value in requested],
        "unnamed": not application.name,
    }


class RegistrationView(DynamicClientRegistrationView):
    """POST /register (RFC 7591): anonymous, limited per address, the hub's URI policy."""

    def post(self, request, *args, **kwargs):
        wait = registration.registration_wait(registration.client_address(request))
        if wait is not None:
            return registration.too_many_registrations(wait)
        problem = registration.metadata_problem(request.body)
        if problem is not None:
            return problem
        # Registration is never on someone's behalf: a logged-in browser that posts here
        # must not make a client that is owned (and so never expires).
        request.user = AnonymousUser()
        return super().post(request, *args, **kwargs)


class RegistrationManagementView(DynamicClientRegistrationManagementView):
    """RFC 7592 read, update and delete with the registration token; updates follow the
    same policy as registration."""

    def put(self, request, *args, **kwargs):
        problem = registration.metadata_problem(request.body)
        if problem is not None:
            return problem
        return super().put(request, *args, **kwargs)


class McpResourceMetadataView(OAuthProtectedResourceMetadataView):
    """RFC 9728 metadata of /mcp (and of the origin, for clients that look there)."""

    def get_resource(self, request):
        return mcp_resource()

    def get_resource_documentation(self):
        return f"{settings.PUBLIC_BASE_URL}/api/docs/"


class TokenEndpoint(TokenView):
    """POST /token. Some of the toolkit's errors (RFC 8707 invalid_target) come back with
    a JSON body but an HTML content type; clients that check the type then cannot read
    the reason, so every answer here is labelled JSON."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        if response.content.startswith(b"{"):
            response["Content-Type"] = "application/json"
        return response
