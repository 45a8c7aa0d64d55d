"""A share link (its owner's view: masked, never the token) as every surface shows it."""

from typing import Any

from jobs.models import ShareToken
from jobs.presenters.old_names import with_old_names

OLD_REST_NAMES = {"id": "share_id"}


def present_share_link(share: ShareToken) -> dict[str, Any]:
    return {
        "share_id": share.pk,
        "label": share.label,
        "masked": share.masked,
        "job_ids": sorted(job.pk for job in share.jobs.all()),
        "active": share.is_active,
        "created_at": share.created_at,
        "revoked_at": share.revoked_at,
        "last_used_at": share.last_used_at,
    }


def present_share_link_for_rest(share: ShareToken) -> dict[str, Any]:
    return with_old_names(present_share_link(share), OLD_REST_NAMES)
