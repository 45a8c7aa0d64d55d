"""monitor_training: "how is my run doing?", with its epoch history when asked (MCP, tests).
The answer is the shared progress presenter's."""

from typing import Any

from jobs.presenters.progress import READS, present_progress
from jobs.selectors import artifacts_of, job_for, metric_points


def monitor_training(*, user, job_id: int, include_history: bool = True) -> dict[str, Any]:
    job = job_for(user, job_id, fields=READS)
    answer = present_progress(job)
    if answer["finished"]:
        # What the run left, so an assistant can name a file to submit or publish without
        # another tool (one small query, on a finished run only).
        answer["outputs"] = [
            {"name": name, "size_bytes": size}
            for name, size in artifacts_of(job).values_list("name", "size")
        ]
    if include_history:
        answer["history"] = metric_points(job)
    return answer
