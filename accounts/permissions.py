"""Scope checks for token-authenticated requests.

A signed-in portal session acts as the person and holds every scope; a token holds only
the scopes it was created with.
"""

from rest_framework.permissions import BasePermission

from accounts.models import ALL_SCOPES, ApiToken


def scopes_of(request) -> list[str]:
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiToken):
        return list(auth.scopes)
    return list(ALL_SCOPES)


class RequiresScope(BasePermission):
    """Set `required_scopes = {"GET": "jobs:read", "POST": "jobs:write", ...}` on the view."""

    message = "This token lacks the scope this call needs."

    def has_permission(self, request, view) -> bool:
        needed = getattr(view, "required_scopes", {}).get(request.method)
        if needed is None:
            return True
        if needed in scopes_of(request):
            return True
        self.message = f"This token lacks the '{needed}' scope this call needs."
        return False
