"""Kaggle competitions over the wire: upload a file, create the submission, read its score.

The upload is StartSubmissionUpload (a token and a signed createUrl), then a plain PUT of
the bytes to that URL (no credential: the URL is signed), then CreateSubmission with the
token. Kaggle answers 404 for an unknown competition and 403 when the user has not
accepted its rules; both become messages that say what to do.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import requests
from kagglesdk.competitions.types.competition_api_service import (
    ApiCreateSubmissionRequest,
    ApiGetSubmissionRequest,
    ApiStartSubmissionUploadRequest,
)

from asthub_site.errors import NotFound, PermissionDenied
from jobs.platforms.base import PlatformBusy, PlatformUnavailable
from jobs.platforms.kaggle.client import calling, kaggle_client, retrying, timeout_seconds


@dataclass(frozen=True)
class SubmissionState:
    status: str  # "pending" | "complete" | "error"
    public_score: str = ""
    error: str = ""


def submit(credential: dict, *, competition: str, path: Path, message: str) -> int:
    """Upload `path` and create the submission; returns Kaggle's submission ref."""
    try:
        with kaggle_client(credential) as client:
            start = ApiStartSubmissionUploadRequest()
            start.competition_name = competition
            start.file_name = path.name
            start.content_length = path.stat().st_size
            start.last_modified_epoch_seconds = int(os.path.getmtime(path))
            slot = retrying(
                lambda: client.competitions.competition_api_client.start_submission_upload(start),
                "starting the submission upload",
            )
            with (
                calling("uploading the submission file"),
                open(path, "rb") as handle,
                requests.Session() as plain,
            ):
                plain.put(
                    slot.create_url, data=handle, timeout=timeout_seconds()
                ).raise_for_status()
            create = ApiCreateSubmissionRequest()
            create.competition_name = competition
            create.blob_file_tokens = slot.token
            create.submission_description = message or f"AST Training Hub: {path.name}"
            with calling("creating the submission"):
                answer = client.competitions.competition_api_client.create_submission(create)
    except PermissionDenied as error:
        raise PermissionDenied(
            f"Kaggle refused the submission to {competition!r}: accept the competition's "
            f"rules at https://www.kaggle.com/competitions/{competition}/rules with your "
            f"Kaggle account, then submit again. ({error.message})"
        ) from error
    except NotFound as error:
        raise NotFound(
            f"Kaggle has no competition {competition!r} (check the name in its URL, "
            "kaggle.com/competitions/NAME)."
        ) from error
    except PlatformBusy as busy:
        raise PlatformUnavailable(
            f"Kaggle is busy ({busy}); nothing was submitted. Try again."
        ) from busy
    if not answer.ref:
        raise PlatformUnavailable(f"Kaggle did not take the submission: {answer.message}")
    return answer.ref


def submission_state(credential: dict, ref: int) -> SubmissionState:
    """Where the submission stands; PlatformBusy when Kaggle cannot say right now."""
    request = ApiGetSubmissionRequest()
    request.ref = ref
    with kaggle_client(credential) as client, calling("reading the submission"):
        answer = client.competitions.competition_api_client.get_submission(request)
    status = answer.status.name
    if status == "COMPLETE":
        return SubmissionState("complete", public_score=answer.public_score or "")
    if status == "ERROR":
        return SubmissionState(
            "error", error=answer.error_description or "Kaggle could not score it"
        )
    return SubmissionState("pending")
