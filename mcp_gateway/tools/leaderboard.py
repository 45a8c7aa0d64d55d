"""Tools for the hub's public energy leaderboard."""

from typing import Annotated

from pydantic import Field, StrictBool

from jobs.leaderboard.listing import listing_state
from jobs.leaderboard.selectors import leaderboard
from jobs.leaderboard.services import set_leaderboard_listing as set_listing
from jobs.selectors import job_for
from mcp_gateway import schemas
from mcp_gateway.calls import call_as_user
from mcp_gateway.declare import READ, START, hub_tool
from mcp_gateway.params import JobId


@hub_tool("jobs:write", START, "List a run on the energy leaderboard")
async def set_leaderboard_listing(
    job_id: JobId,
    listed: Annotated[StrictBool, Field(description="True to list, False to take it off.")],
    display_name: Annotated[
        str, Field(max_length=40, description='Public name; empty shows "anonymous".')
    ] = "",
) -> schemas.LeaderboardListingOut:
    """Opt one of the user's succeeded AST runs in to (or out of) the hub's public energy
    leaderboard. Off by default; ask the user before listing. The board shows the data
    set, model, accuracy, energy and savings under the display name, never the e-mail,
    and only once the run has been published (sync_model)."""

    def update(user):
        entry = set_listing(user=user, job_id=job_id, listed=listed, display_name=display_name)
        return schemas.LeaderboardListingOut(**listing_state(job_for(user, job_id), entry))

    return await call_as_user(update)


@hub_tool("jobs:read", READ, "Energy leaderboard")
async def get_leaderboard(
    dataset: Annotated[str, Field(description="Only this data set; empty for all.")] = "",
) -> schemas.LeaderboardOut:
    """The public energy leaderboard: published AST runs (everyone's, opted in by their
    owners) ranked per data set by accuracy per kWh, then energy saved against plain
    training. Free (reads only)."""

    return await call_as_user(
        lambda user: schemas.LeaderboardOut(**leaderboard(dataset=dataset or None))
    )


TOOLS = [set_leaderboard_listing, get_leaderboard]
