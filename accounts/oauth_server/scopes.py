"""The scopes an OAuth client may ask for are the API tokens' scopes, declared once in
`accounts.models.Scope`."""

from oauth2_provider.scopes import BaseScopes

from accounts.models import ALL_SCOPES, Scope


class HubScopes(BaseScopes):
    def get_all_scopes(self) -> dict[str, str]:
        return {scope.value: scope.label for scope in Scope}

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return list(ALL_SCOPES)

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        # A client that names no scope asks for what the MCP tools need; the consent page
        # lets the person narrow it.
        return list(ALL_SCOPES)
