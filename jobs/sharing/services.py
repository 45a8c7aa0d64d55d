"""Writes for share links: create (jobs must be the owner's) and revoke.

`create_share_token` is also what `deploy_dashboard` uses to give a Space its token.
"""

from django.db import transaction
from django.utils import timezone

from accounts import audit
from asthub_site.errors import InvalidInput, NotFound, QuotaExceeded
from asthub_site.ids import MAX_ID
from jobs.models import ShareToken, TrainingJob
from jobs.sharing.tokens import generate_share_token, share_digest

MAX_JOBS_PER_LINK = 50
MAX_ACTIVE_LINKS = 100
MAX_LABEL = 64


def _clean_job_ids(job_ids) -> list[int]:
    if isinstance(job_ids, int | str):
        job_ids = [job_ids]
    try:
        ids = sorted({int(job_id) for job_id in job_ids or []})
    except (TypeError, ValueError):
        raise InvalidInput(
            "job_ids must be a list of job ids.", fields={"job_ids": ["invalid"]}
        ) from None
    if not ids:
        raise InvalidInput("Name at least one job to share.", fields={"job_ids": ["required"]})
    if len(ids) > MAX_JOBS_PER_LINK:
        raise InvalidInput(
            f"A share link covers at most {MAX_JOBS_PER_LINK} jobs.",
            fields={"job_ids": ["too many"]},
        )
    impossible = [job_id for job_id in ids if not 1 <= job_id <= MAX_ID]
    if impossible:
        raise NotFound(f"No training job {', '.join(str(job_id) for job_id in impossible)}.")
    return ids


def _clean_label(label: str | None) -> str:
    label = (label or "").strip()
    if len(label) > MAX_LABEL:
        raise InvalidInput(
            f"Label is too long (at most {MAX_LABEL} characters).", fields={"label": ["too long"]}
        )
    return label


def create_share_token(*, user, job_ids, label: str = "") -> tuple[ShareToken, str]:
    """Create a read-only link to `job_ids` (all the user's, else NotFound) and return it
    with its raw value, which is never available again."""
    ids = _clean_job_ids(job_ids)
    label = _clean_label(label)
    raw = generate_share_token()
    with transaction.atomic():
        jobs = list(TrainingJob.objects.for_user(user).filter(pk__in=ids))
        missing = sorted(set(ids) - {job.pk for job in jobs})
        if missing:
            # Another tenant's job reads exactly like a job that does not exist.
            raise NotFound(f"No training job {', '.join(str(job_id) for job_id in missing)}.")
        if ShareToken.objects.for_user(user).active().count() >= MAX_ACTIVE_LINKS:
            raise QuotaExceeded(
                f"You have {MAX_ACTIVE_LINKS} active share links; revoke some first."
            )
        share = ShareToken.objects.create(
            owner=user, label=label, digest=share_digest(raw), last_four=raw[-4:]
        )
        share.jobs.set(jobs)
        audit.record(
            user=user,
            actor=user,
            action="share.created",
            target=share,
            detail={"label": label, "job_ids": ids},
        )
    return share, raw


def revoke_share_token(*, user, share_id: int) -> ShareToken:
    """Revoke one of the user's active links; the public page and API answer 404 at once."""
    with transaction.atomic():
        share = (
            ShareToken.objects.for_user(user)
            .select_for_update()
            .filter(pk=share_id, revoked_at__isnull=True)
            .first()
        )
        if share is None:
            raise NotFound(f"No active share link {share_id}.")
        share.revoked_at = timezone.now()
        share.save(update_fields=["revoked_at"])
        audit.record(
            user=user,
            actor=user,
            action="share.revoked",
            target=share,
            detail={"label": share.label},
        )
    return share
