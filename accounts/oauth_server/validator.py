"""The toolkit's validator with the hub's policy: every code is bound to a resource this
hub serves (RFC 8707), and every issue, refresh and revocation writes an audit row."""

from django.db import transaction
from oauth2_provider.oauth2_validators import OAuth2Validator

from accounts.oauth_server import services
from accounts.oauth_server.resources import mcp_resource


class HubOAuth2Validator(OAuth2Validator):
    def save_authorization_code(self, client_id, code, request, *args, **kwargs):
        # A client that names no resource gets a code for the MCP endpoint, the only one
        # there is; its tokens are then audience-bound like everyone else's.
        if not getattr(request, "resource", None):
            request.resource = [mcp_resource()]
        return super().save_authorization_code(client_id, code, request, *args, **kwargs)

    def _save_bearer_token(self, token, request, *args, **kwargs):
        # Runs inside the toolkit's transaction (save_bearer_token), with the new pair.
        result = super()._save_bearer_token(token, request, *args, **kwargs)
        if request.user is not None and getattr(request.user, "pk", None):
            services.record_token_issued(
                user=request.user,
                application=request.client,
                scopes=(token.get("scope") or "").split(),
                refreshed=request.grant_type == "refresh_token",
            )
        return result

    def revoke_token(self, token, token_type_hint, request, *args, **kwargs):
        # The revocation and its audit rows commit together, or not at all.
        application = getattr(request, "client", None)
        with transaction.atomic():
            owners = services.owners_of_token(token, application) if application else set()
            super().revoke_token(token, token_type_hint, request, *args, **kwargs)
            if owners:
                services.record_client_revocation(user_ids=owners, application=application)
