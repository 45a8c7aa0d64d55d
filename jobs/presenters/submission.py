"""A Kaggle competition submission as every surface shows it."""

from typing import Any

from jobs.models import CompetitionSubmission
from jobs.presenters.old_names import with_old_names

OLD_REST_NAMES = {"id": "submission_id"}


def present_submission(submission: CompetitionSubmission) -> dict[str, Any]:
    return {
        "submission_id": submission.pk,
        "job_id": submission.job_id,
        "competition": submission.competition,
        "file_name": submission.file_name,
        "message": submission.message,
        "status": submission.status,
        "public_score": submission.public_score,
        "failure_reason": submission.failure_reason,
        "ref": submission.ref,
        "url": submission.url,
        "created_at": submission.created_at,
        "scored_at": submission.scored_at,
    }


def present_submission_for_rest(submission: CompetitionSubmission) -> dict[str, Any]:
    return with_old_names(present_submission(submission), OLD_REST_NAMES)
