"""Parameter types more than one tool takes."""

from typing import Annotated

from pydantic import Field

from asthub_site.ids import MAX_ID

JobId = Annotated[
    int,
    Field(ge=1, le=MAX_ID, description="The job's id, as start_training or list_jobs gave it."),
]
WaitSeconds = Annotated[
    float,
    Field(
        ge=0,
        le=600,
        description="0: answer now. Otherwise wait up to this long, sending progress "
        "notifications, and answer when it finishes or time is up.",
    ),
]
