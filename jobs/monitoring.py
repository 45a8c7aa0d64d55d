"""monitor_training: "how is my run doing?", with its epoch history when asked (MCP, tests).
The answer is the shared progress presenter's."""

from typing import Any

from jobs.presenters.progress import READS, present_progress
from jobs.selectors import job_for, metric_points


def monitor_training(*, user, job_id: int, include_history: bool = True) -> dict[str, Any]:
    job = job_for(user, job_id, fields=READS)
    answer = present_progress(job)
    if include_history:
        answer["history"] = metric_points(job)
    return answer
