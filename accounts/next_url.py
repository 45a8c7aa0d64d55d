"""Where to send a person once they have signed in or up: back to the page that sent
them (an MCP client's consent page, say) when it is on this hub, else the dashboard."""

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("portal:dashboard")
