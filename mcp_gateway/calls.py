"""How a tool reaches the hub: as the token's user, in a worker thread, counted against the
account's rate limit (every token, API or OAuth, shares it), with user-caused errors
turned into tool errors an assistant can act on.
"""

from collections.abc import Callable
from typing import TypeVar

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.mcpserver.exceptions import ToolError

from accounts.auth_cache import active_user
from accounts.models import User
from asthub_site.errors import HubError
from billing.throttling import account_rate_key, count_request
from mcp_gateway.db import run_in_db_thread

T = TypeVar("T")


class RateLimited(HubError):
    status = 429
    code = "rate_limited"


def _as_user(user_id: int, service: Callable[[User], T], count: bool) -> T:
    # From memory when the token was just verified (its lookup keeps the active owner);
    # a deactivation drops it at once. Counting reads the plan from memory as well, so a
    # counted call costs one Redis round trip (the window's script) and no query.
    user = active_user(user_id)
    if user is None:
        raise HubError("This token's account is no longer active.")
    wait = count_request(account_rate_key(user.pk), user) if count else None
    if wait is not None:
        raise RateLimited(
            f"Rate limit of your plan reached for this account; retry in {wait:.0f} seconds."
        )
    return service(user)


async def call_as_user(service: Callable[[User], T], *, count: bool = True) -> T:
    """Run `service(user)` for the verified token's user; HubError → tool error text.

    `count=False` for the follow-up polls of one call (monitor_training's wait), so a
    tool call counts once against the rate limit, as a REST request does."""
    token = get_access_token()
    if token is None or token.subject is None:  # the auth middleware lets nobody else in
        raise ToolError("Not authenticated.")
    try:
        return await run_in_db_thread(_as_user, int(token.subject), service, count)
    except HubError as exc:
        raise ToolError(tool_error_text(exc)) from exc


def tool_error_text(error: HubError) -> str:
    """A service error as the assistant reads it; a plan refusal names where to upgrade."""
    upgrade = getattr(error, "upgrade_url", "")
    return f"{error.message} [{error.code}]" + (f" Upgrade: {upgrade}" if upgrade else "")
