"""Tools for Kaggle competitions."""

from typing import Annotated

from mcp.server.mcpserver import Context
from pydantic import Field

from jobs.competitions import submission_for
from jobs.competitions import submit_to_competition as submit
from jobs.events import channel_for
from mcp_gateway import schemas
from mcp_gateway.calls import call_as_user
from mcp_gateway.declare import START, hub_tool
from mcp_gateway.params import JobId, WaitSeconds
from mcp_gateway.waiting import wait_until


@hub_tool("jobs:write", START, "Submit to a Kaggle competition")
async def submit_to_competition(
    run_id: JobId,
    competition: Annotated[str, Field(description="As in kaggle.com/competitions/NAME.")],
    file: Annotated[str, Field(description="One of the run's artifacts, e.g. submission.csv.")],
    ctx: Context,
    message: Annotated[str, Field(max_length=500)] = "",
    wait_seconds: WaitSeconds = 60,
) -> schemas.SubmissionOut:
    """Submit a file from a succeeded run's outputs to a Kaggle competition with the
    user's Kaggle account, and return the public score once Kaggle has scored it (or
    the pending submission when wait_seconds runs out; call again with list_jobs /
    this tool's answer id to follow). Fails clearly when the competition's rules were
    not accepted or the competition does not exist. Counts against Kaggle's daily
    submission limit, so ask the user first."""

    def start(user):
        made = submit(user=user, run_id=run_id, competition=competition, file=file,
                      message=message)  # fmt: skip
        return schemas.SubmissionOut.of(made)

    started = await call_as_user(start)
    submission_id = started.submission_id

    async def report(submission: schemas.SubmissionOut) -> None:
        await ctx.report_progress(0, None, f"submission {submission.status}")

    submission, _ = await wait_until(
        lambda user: schemas.SubmissionOut.of(submission_for(user, submission_id)),
        done=lambda submission: submission.status != "pending",
        seconds=wait_seconds if started.status == "pending" else 0,
        channel=channel_for(submission_id, "submission"),
        on_read=report,
        count_first_read=False,
    )
    return submission


TOOLS = [submit_to_competition]
