"""A model publication (a copy of a run or a model to a platform) as every surface shows it."""

from typing import Any

from jobs.models import Publication
from jobs.presenters.old_names import with_old_names

OLD_REST_NAMES = {"id": "publication_id"}


def present_publication(publication: Publication) -> dict[str, Any]:
    return {
        "publication_id": publication.pk,
        "job_id": publication.job_id,
        "from_platform": publication.source_platform,
        "source_ref": publication.source_ref,
        "to_platform": publication.target_platform,
        "target_ref": publication.target_ref,
        "private": publication.private,
        "automatic": publication.automatic,
        "status": publication.status,
        "url": publication.url,
        "published_ref": publication.published_ref,
        "revision": publication.revision,
        "files": [
            {"name": item["name"], "size": item["size"], "sha256": item["sha256"]}
            for item in publication.files
        ],
        "failure_reason": publication.failure_reason,
        "created_at": publication.created_at,
        "finished_at": publication.finished_at,
    }


def present_publication_for_rest(publication: Publication) -> dict[str, Any]:
    return with_old_names(present_publication(publication), OLD_REST_NAMES)
