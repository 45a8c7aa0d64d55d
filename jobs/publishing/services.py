"""`sync_model`: validate a publication request, record it, and copy in the background.

Uploads can take minutes, so the request only checks everything the user can get wrong
(unknown job or platform, unfinished run, missing credential, bad reference), stores a
pending `Publication` and enqueues the copy; every surface then shows the publication's
status, URL and commit, and the MCP tool and CLI can wait for it.
"""

import logging
import tempfile
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import Provider
from accounts.selectors import has_credential
from accounts.services import use_credential
from asthub_site.errors import HubError, InvalidInput, MissingCredential, NotFound
from billing import quotas
from jobs import dispatch
from jobs.events import publish_event
from jobs.models import Publication, PublicationStatus, TrainingJob
from jobs.platforms.publishing_base import ModelFiles, PublishContext
from jobs.publishing.job_source import check_publishable, job_files
from jobs.publishing.registry import source_for, target_for
from jobs.selectors import job_for
from jobs.spec import PLATFORMS

log = logging.getLogger(__name__)


def _require_credential(user, provider: str | None) -> None:
    if provider and not has_credential(user, provider):
        raise MissingCredential(
            f"Publishing here needs your {Provider(provider).label} credential; add one under "
            "Credentials in the portal or with POST /api/v1/credentials."
        )


def _check_platform(name: str, value: str | None) -> None:
    if value is not None and value not in PLATFORMS:
        raise InvalidInput(
            f"{name} must be one of {', '.join(PLATFORMS)}, not {value!r}.",
            fields={name: ["invalid"]},
        )


def sync_model(
    *,
    user,
    to_platform: str,
    job_id: int | None = None,
    from_platform: str | None = None,
    source_ref: str = "",
    target_ref: str = "",
    private: bool = True,
    automatic: bool = False,
) -> Publication:
    """Start copying a model to `to_platform`: from a finished job (`job_id`), or from a
    model on another platform (`from_platform` + `source_ref`, e.g. a Hub repo id)."""
    _check_platform("to_platform", to_platform)
    _check_platform("from_platform", from_platform)
    source_ref = (source_ref or "").strip()
    job: TrainingJob | None = None
    if job_id is not None:
        if source_ref:
            raise InvalidInput("Give a job_id or a source_ref, not both.")
        job = job_for(user, job_id)
        if from_platform is not None and from_platform != job.platform:
            raise InvalidInput(
                f"Job {job.pk} ran on {job.platform}, not {from_platform}; leave "
                "from_platform out to publish a job's outputs.",
                fields={"from_platform": ["does not match the job"]},
            )
        check_publishable(job)
        from_platform = job.platform
        if to_platform == "local":
            raise InvalidInput(
                f"Job {job.pk}'s files are already on this hub (GET /api/v1/jobs/{job.pk}/"
                "artifacts/); publish to huggingface or kaggle."
            )
    else:
        if not source_ref:
            raise InvalidInput(
                "Give the job_id of a finished run, or from_platform and source_ref "
                "(a Hub repo id or a Kaggle kernel) to copy a model from elsewhere.",
                fields={"job_id": ["required"]},
            )
        if from_platform is None:
            raise InvalidInput("from_platform is required with source_ref.")
        if from_platform == to_platform:
            raise InvalidInput(f"The model is already on {to_platform}; nothing to copy.")
        source = source_for(from_platform)
        source_ref = source.validate_ref(source_ref)
        _require_credential(user, source.needs_credential)
    target = target_for(to_platform)
    target_ref = target.validate_ref((target_ref or "").strip())
    _require_credential(user, target.needs_credential)
    if to_platform == "local":  # the copy's size is checked again once it is gathered
        quotas.check_artifact_storage(user=user, adding_bytes=1, what="a copy kept on this hub")
    with transaction.atomic():
        publication = Publication.objects.create(
            owner=user,
            job=job,
            source_platform=from_platform,
            source_ref=source_ref,
            target_platform=to_platform,
            target_ref=target_ref,
            private=private,
            automatic=automatic,
        )
        audit.record(
            user=user,
            actor=user,
            action="model.sync_started",
            target=publication,
            detail={"from": from_platform, "to": to_platform, "job": job_id},
        )
        transaction.on_commit(lambda: dispatch.publish(publication.pk))
    return publication


def publish_after_success(*, job: TrainingJob) -> Publication | None:
    """`auto_upload_hf`: publish a run that just succeeded. A problem (no HF credential)
    is recorded as a failed publication the user can see, never lost in a log."""
    try:
        return sync_model(
            user=job.owner,
            to_platform="huggingface",
            job_id=job.pk,
            target_ref=job.hf_repo,
            automatic=True,
        )
    except HubError as error:
        return Publication.objects.create(
            owner=job.owner,
            job=job,
            source_platform=job.platform,
            target_platform="huggingface",
            target_ref=job.hf_repo,
            automatic=True,
            status=PublicationStatus.FAILED,
            failure_reason=error.message,
            finished_at=timezone.now(),
        )


def claim_publication(publication_id: int) -> Publication | None:
    """pending → running, once; a retry of the task finds it running and goes on."""
    Publication.objects.filter(pk=publication_id, status=PublicationStatus.PENDING).update(
        status=PublicationStatus.RUNNING
    )
    publication = (
        Publication.objects.select_related("owner", "job").filter(pk=publication_id).first()
    )
    if publication is None or publication.status != PublicationStatus.RUNNING:
        return None
    Publication.objects.filter(pk=publication_id).update(attempts=publication.attempts + 1)
    return publication


def _gather(publication: Publication, dest: Path) -> ModelFiles:
    if publication.job is not None:
        return job_files(publication.job, dest)
    source = source_for(publication.source_platform)
    credential = (
        use_credential(user=publication.owner, provider=source.needs_credential)
        if source.needs_credential
        else None
    )
    return source.gather(publication.source_ref, credential, dest)


def perform_publication(publication: Publication) -> Publication:
    """Do the copy (in the worker). PlatformBusy propagates so the task can retry."""
    target = target_for(publication.target_platform)
    credential = (
        use_credential(user=publication.owner, provider=target.needs_credential)
        if target.needs_credential
        else None
    )
    with tempfile.TemporaryDirectory(prefix=f"asthub-publication-{publication.pk}-") as folder:
        files = _gather(publication, Path(folder))
        published = target.publish(
            files,
            credential,
            ref=publication.target_ref,
            private=publication.private,
            context=PublishContext(owner_id=publication.owner_id, publication_id=publication.pk),
        )
    # The state change and its audit row commit together (the task is the outer transaction).
    with transaction.atomic(durable=True):
        Publication.objects.filter(pk=publication.pk).update(
            status=PublicationStatus.SUCCEEDED,
            url=published.url,
            published_ref=published.ref,
            revision=published.revision,
            files=published.files,
            failure_reason="",
            finished_at=timezone.now(),
        )
        audit.record(
            user=publication.owner,
            actor=publication.owner,
            action="model.published",
            target=publication,
            detail={"to": publication.target_platform, "ref": published.ref},
        )
    transaction.on_commit(lambda: publish_event("publication", publication.pk))
    publication.refresh_from_db()
    return publication


def fail_publication(publication_id: int, reason: str) -> None:
    failed = (
        Publication.objects.filter(pk=publication_id)
        .exclude(status=PublicationStatus.SUCCEEDED)
        .update(status=PublicationStatus.FAILED, failure_reason=reason, finished_at=timezone.now())
    )
    if failed:
        transaction.on_commit(lambda: publish_event("publication", publication_id))


def publications_for(user, *, job_id: int | None = None):
    """The user's publications, newest first; only one run's when `job_id` is given."""
    publications = Publication.objects.for_user(user)
    if job_id is not None:
        publications = publications.filter(job_id=job_id)
    return publications


def publication_for(user, publication_id: int) -> Publication:
    publication = Publication.objects.for_user(user).filter(pk=publication_id).first()
    if publication is None:
        raise NotFound(f"No publication {publication_id}.")
    return publication
