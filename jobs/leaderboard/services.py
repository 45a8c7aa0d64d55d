"""Opting a run in or out of the public leaderboard (the owner's choice, default out)."""

from django.db import transaction

from accounts import audit
from asthub_site.errors import InvalidInput
from jobs.leaderboard.selectors import forget_cached_board
from jobs.models import JobStatus, LeaderboardEntry
from jobs.selectors import job_for

MAX_DISPLAY_NAME = 40


def _clean_display_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if len(name) > MAX_DISPLAY_NAME:
        raise InvalidInput(
            f"Display name is too long (at most {MAX_DISPLAY_NAME} characters).",
            fields={"display_name": ["too long"]},
        )
    if "@" in name:
        # The board never shows e-mail addresses, including ones typed as a name.
        raise InvalidInput(
            "A display name cannot contain '@'; the board never shows e-mail addresses.",
            fields={"display_name": ["invalid"]},
        )
    return name


def set_leaderboard_listing(
    *, user, job_id: int, listed: bool, display_name: str = ""
) -> LeaderboardEntry | None:
    """List (or unlist) one of the user's succeeded AST runs; returns the entry or None."""
    name = _clean_display_name(display_name)
    with transaction.atomic():
        job = job_for(user, job_id)
        if not listed:
            removed, _ = LeaderboardEntry.objects.filter(job=job).delete()
            if removed:
                audit.record(user=user, actor=user, action="leaderboard.unlisted", target=job)
            entry = None
        else:
            if job.is_baseline:
                raise InvalidInput(
                    f"Job {job.pk} is a baseline run; the leaderboard ranks AST runs."
                )
            if job.status != JobStatus.SUCCEEDED:
                raise InvalidInput(
                    f"Job {job.pk} is {job.status}; only succeeded runs can be listed."
                )
            entry, _ = LeaderboardEntry.objects.update_or_create(
                job=job, defaults={"display_name": name}
            )
            audit.record(
                user=user,
                actor=user,
                action="leaderboard.listed",
                target=job,
                detail={"display_name": name},
            )
    forget_cached_board()
    return entry


def listing_of(*, user, job_id: int) -> LeaderboardEntry | None:
    job = job_for(user, job_id)
    return LeaderboardEntry.objects.filter(job=job).first()
