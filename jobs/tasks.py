"""Celery tasks: thin wrappers over jobs.runs (and publishing, competitions). They take
ids, are safe to run twice, and turn "try later" answers into Celery retries. Nothing
imports this module back: work is sent to these tasks by name (jobs.dispatch)."""

import logging

from celery import shared_task

from asthub_site.errors import HubError
from jobs.competitions import check_submission
from jobs.platforms.base import PlatformBusy
from jobs.publishing.services import claim_publication, fail_publication, perform_publication
from jobs.runs.backoff import backoff_seconds
from jobs.runs.launch import TryLater, launch_run
from jobs.runs.poll import poll_due_jobs
from jobs.runs.reconcile import reconcile
from jobs.runs.supervise import supervise_run

logger = logging.getLogger(__name__)

LAUNCH_MAX_RETRIES = 5
PUBLISH_MAX_RETRIES = 8


@shared_task(bind=True, acks_late=True, max_retries=LAUNCH_MAX_RETRIES)
def launch_job(self, job_id: int) -> None:
    try:
        launch_run(job_id, retries=self.request.retries, max_retries=LAUNCH_MAX_RETRIES)
    except TryLater as later:
        raise self.retry(countdown=later.seconds) from later


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_local_job(job_id: int) -> str:
    """Supervise one local run until its engine ends, is cancelled or times out."""
    return supervise_run(job_id)


@shared_task
def poll_remote_jobs() -> dict:
    """Beat: ask Kaggle and HF Jobs about every running run that is due a poll."""
    return poll_due_jobs()


@shared_task
def reconcile_jobs() -> dict:
    return reconcile()


@shared_task(bind=True, acks_late=True, max_retries=PUBLISH_MAX_RETRIES)
def publish_model(self, publication_id: int) -> None:
    """Copy one model to its target; retried with backoff while the platform is busy."""
    publication = claim_publication(publication_id)
    if publication is None:
        return
    try:
        perform_publication(publication)
    except PlatformBusy as busy:
        if self.request.retries >= PUBLISH_MAX_RETRIES:
            fail_publication(publication_id, f"The platform stayed unavailable: {busy}")
            return
        raise self.retry(
            countdown=backoff_seconds(self.request.retries, busy.retry_after)
        ) from busy
    except HubError as error:
        fail_publication(publication_id, error.message)
    except Exception as error:
        logger.exception("publication %s failed", publication_id)
        fail_publication(
            publication_id, f"Publishing failed unexpectedly ({type(error).__name__}); retry."
        )


@shared_task(bind=True, acks_late=True, max_retries=None)
def watch_submission(self, submission_id: int) -> None:
    """Follow a competition submission until Kaggle has scored it (or given up)."""
    wait = check_submission(submission_id=submission_id)
    if wait is not None:
        raise self.retry(countdown=wait)
