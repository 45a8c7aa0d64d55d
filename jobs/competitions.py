"""Submitting a run's output file to a Kaggle competition and following its score.

The upload and the submission are made in the request, so that an unknown competition or
rules not accepted are a clear error at once; scoring takes minutes, so a Celery task
(`watch_submission`) follows it and stores the public score.
"""

import re
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.services import use_credential
from asthub_site.errors import Conflict, InvalidInput, NotFound
from jobs import dispatch
from jobs.artifacts import open_artifact
from jobs.events import publish_event
from jobs.models import CompetitionSubmission, JobStatus, SubmissionStatus
from jobs.platforms.base import PlatformBusy
from jobs.platforms.kaggle import competitions as kaggle
from jobs.selectors import job_for

_COMPETITION_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,98}$")
MAX_MESSAGE = 500
# A task run waits this long for the score before handing back to the queue.
WATCH_SECONDS = 30.0
CHECK_EVERY_SECONDS = 1.0
GIVE_UP_AFTER = timedelta(hours=6)


def submit_to_competition(
    *, user, run_id: int, competition: str, file: str, message: str = ""
) -> CompetitionSubmission:
    """Upload `file` (one of the run's artifacts) to `competition` and start scoring."""
    job = job_for(user, run_id)
    competition = (competition or "").strip().lower()
    if not _COMPETITION_RE.match(competition):
        raise InvalidInput(
            f"A competition is named as in its URL (kaggle.com/competitions/NAME), not "
            f"{competition!r}.",
            fields={"competition": ["invalid"]},
        )
    if len(message or "") > MAX_MESSAGE:
        raise InvalidInput(f"message: at most {MAX_MESSAGE} characters.")
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict(f"Job {job.pk} is {job.status}; submit the outputs of a succeeded run.")
    artifact = job.artifacts.filter(name=file).first()
    if artifact is None:
        names = ", ".join(job.artifacts.values_list("name", flat=True)) or "none"
        raise NotFound(f"Job {job.pk} has no output named {file!r}; it has: {names}.")
    credential = use_credential(user=user, provider="kaggle")
    with tempfile.TemporaryDirectory(prefix="asthub-submission-") as folder:
        path = Path(folder) / Path(artifact.name).name
        with open_artifact(artifact) as source, open(path, "wb") as out:
            shutil.copyfileobj(source, out)
        ref = kaggle.submit(credential, competition=competition, path=path, message=message)
    with transaction.atomic():
        submission = CompetitionSubmission.objects.create(
            owner=user,
            job=job,
            competition=competition,
            file_name=artifact.name,
            message=message or "",
            ref=ref,
        )
        audit.record(
            user=user,
            actor=user,
            action="competition.submitted",
            target=submission,
            detail={"competition": competition, "job": job.pk, "file": artifact.name},
        )
        transaction.on_commit(lambda: _enqueue_watch(submission.pk))
    return submission


def _enqueue_watch(submission_id: int) -> None:
    dispatch.watch_submission(submission_id)


def submission_for(user, submission_id: int) -> CompetitionSubmission:
    submission = CompetitionSubmission.objects.for_user(user).filter(pk=submission_id).first()
    if submission is None:
        raise NotFound(f"No submission {submission_id}.")
    return submission


def submissions_for(user, *, job_id: int | None = None):
    rows = CompetitionSubmission.objects.for_user(user)
    if job_id is not None:
        rows = rows.filter(job_id=job_id)
    return rows


def check_submission(*, submission_id: int) -> float | None:
    """Wait a little for the score (worker side). Returns None once the submission is
    finished, else how many seconds to wait before asking again."""
    submission = CompetitionSubmission.objects.select_related("owner").get(pk=submission_id)
    if submission.is_finished:
        return None
    if timezone.now() - submission.created_at > GIVE_UP_AFTER:
        _finish(
            submission,
            SubmissionStatus.ERROR,
            reason=f"Not scored within 6 h; see {submission.url}.",
        )
        return None
    credential = use_credential(user=submission.owner, provider="kaggle")
    deadline = time.monotonic() + WATCH_SECONDS
    while True:
        try:
            state = kaggle.submission_state(credential, submission.ref)
        except PlatformBusy as busy:
            return max(busy.retry_after or 0.0, 30.0)
        if state.status == "complete":
            _finish(submission, SubmissionStatus.COMPLETE, score=state.public_score)
            return None
        if state.status == "error":
            _finish(submission, SubmissionStatus.ERROR, reason=state.error)
            return None
        if time.monotonic() + CHECK_EVERY_SECONDS > deadline:
            return 30.0
        time.sleep(CHECK_EVERY_SECONDS)


def _finish(submission, status: str, *, score: str = "", reason: str = "") -> None:
    finished = CompetitionSubmission.objects.filter(
        pk=submission.pk, status=SubmissionStatus.PENDING
    ).update(status=status, public_score=score, failure_reason=reason, scored_at=timezone.now())
    if finished:
        transaction.on_commit(lambda: publish_event("submission", submission.pk))


def latest_score(job) -> CompetitionSubmission | None:
    """The run's most recent scored submission, for the competition model card."""
    return job.submissions.filter(status=SubmissionStatus.COMPLETE).order_by("-scored_at").first()
