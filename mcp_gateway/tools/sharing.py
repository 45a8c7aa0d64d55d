"""Tools for read-only share links (a public page and JSON of chosen runs)."""

from typing import Annotated

from pydantic import Field, StrictBool

from asthub_site.ids import MAX_ID
from jobs.sharing.selectors import share_tokens_for
from jobs.sharing.services import create_share_token, revoke_share_token
from jobs.sharing.urls_for import share_urls
from mcp_gateway import schemas
from mcp_gateway.calls import call_as_user
from mcp_gateway.declare import CANCEL, READ, START, hub_tool


@hub_tool("jobs:write", START, "Create a share link")
async def create_share_link(
    job_ids: Annotated[
        list[int], Field(min_length=1, max_length=50, description="Your jobs to share.")
    ],
    label: Annotated[str, Field(max_length=64)] = "",
) -> schemas.ShareLinkCreated:
    """Create a read-only link that lets anyone (no account) watch the status and
    per-epoch metrics of these jobs: a live public page on the hub and a JSON API, e.g.
    for a dashboard or a paper. It shows nothing else (no email, config or credentials).
    The token is returned once; tell the user it is public to whoever holds it and can
    be revoked with revoke_share_link."""

    def create(user):
        share, raw = create_share_token(user=user, job_ids=job_ids, label=label)
        return schemas.ShareLinkCreated(
            link=schemas.ShareLinkOut.of(share), token=raw, **share_urls(raw)
        )

    return await call_as_user(create)


@hub_tool("jobs:read", READ, "List share links")
async def list_share_links(include_revoked: StrictBool = False) -> schemas.ShareLinkList:
    """The user's share links (masked, never the token), with the jobs each covers and
    when each was last read. Free (reads only)."""

    def read(user):
        shares = share_tokens_for(user, include_revoked=include_revoked)
        links = [schemas.ShareLinkOut.of(share) for share in shares]
        return schemas.ShareLinkList(links=links, count=len(links))

    return await call_as_user(read)


@hub_tool("jobs:write", CANCEL, "Revoke a share link")
async def revoke_share_link(
    share_id: Annotated[
        int, Field(ge=1, le=MAX_ID, description="The link's id from list_share_links.")
    ],
) -> schemas.ShareLinkOut:
    """Revoke a share link at once: its public page and API answer "not found" from
    then on (a dashboard Space using it stops updating). Cannot be undone."""

    def revoke(user):
        return schemas.ShareLinkOut.of(revoke_share_token(user=user, share_id=share_id))

    return await call_as_user(revoke)


TOOLS = [create_share_link, list_share_links, revoke_share_link]
