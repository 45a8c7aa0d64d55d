"""A run's listing state as every surface reports it."""

from typing import Any

from jobs.models import PublicationStatus


def listing_state(job, entry) -> dict[str, Any]:
    return {
        "job_id": job.pk,
        "listed": entry is not None,
        "display_name": entry.display_name if entry else "",
        "listed_at": entry.listed_at if entry else None,
        "published": job.publications.filter(status=PublicationStatus.SUCCEEDED).exists(),
    }
