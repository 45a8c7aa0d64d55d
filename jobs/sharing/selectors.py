"""Reads for share links. The owner's list starts from the user; the public read starts
from the raw token and reaches only the jobs that token names."""

from datetime import timedelta

from django.utils import timezone

from asthub_site.errors import NotFound
from jobs.models import ShareToken, TrainingJob
from jobs.sharing.tokens import looks_like_share_token, share_digest

# Record "last used" at most this often, so a page polling every few seconds is not a
# write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
UNKNOWN_LINK = "This share link does not exist or was revoked."


def share_tokens_for(user, *, include_revoked: bool = True):
    shares = ShareToken.objects.for_user(user).prefetch_related("jobs")
    return shares if include_revoked else shares.active()


def share_tokens_for_job(user, job_id: int):
    return share_tokens_for(user, include_revoked=False).filter(jobs__pk=job_id)


def share_token_for(user, share_id) -> ShareToken:
    try:
        return share_tokens_for(user).get(pk=int(share_id))
    except (ShareToken.DoesNotExist, TypeError, ValueError):
        raise NotFound(f"No share link {share_id}.") from None


def active_share(raw: str) -> ShareToken:
    """The active link for this raw value; unknown, revoked or malformed → NotFound."""
    if not raw or not looks_like_share_token(raw):
        raise NotFound(UNKNOWN_LINK)
    share = (
        ShareToken.objects.active()
        .select_related("owner")
        .filter(digest=share_digest(raw), owner__is_active=True)
        .first()
    )
    if share is None:
        raise NotFound(UNKNOWN_LINK)
    now = timezone.now()
    if share.last_used_at is None or now - share.last_used_at > LAST_USED_RESOLUTION:
        ShareToken.objects.filter(pk=share.pk).update(last_used_at=now)
        share.last_used_at = now
    return share


def jobs_of(share: ShareToken) -> list[TrainingJob]:
    # Starting from the owner keeps the rule "every tenant query starts from the user",
    # even though the link could only ever have named the owner's jobs.
    return list(TrainingJob.objects.for_user(share.owner).filter(share_tokens=share).order_by("pk"))


def shared_jobs(raw: str) -> list[TrainingJob]:
    """The jobs a share token may read, oldest first (NotFound for a bad token)."""
    return jobs_of(active_share(raw))
