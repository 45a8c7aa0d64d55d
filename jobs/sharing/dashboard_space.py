"""deploy_dashboard: a Gradio Space that charts runs live from a read-only share link.

The link is minted for exactly these runs (jobs.sharing) and handed to the Space only as
a secret; the Space's files are committed in one commit. If the Hub refuses anything, the
link just minted is revoked, so no unused credential is left behind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from huggingface_hub import CommitOperationAdd

from accounts.services import use_credential
from asthub_site.errors import HubError, InvalidInput
from jobs.platforms.base import PlatformBusy, PlatformUnavailable
from jobs.platforms.huggingface.client import hub_api, hub_errors
from jobs.platforms.huggingface.space_app import REQUIREMENTS, app_source, readme
from jobs.sharing.services import create_share_token, revoke_share_token
from jobs.sharing.urls_for import share_urls

SECRET_NAME = "ASTHUB_SHARE_TOKEN"  # noqa: S105 - the secret's name, not its value
DEFAULT_SPACE = "asthub-dashboard"
_SPACE = re.compile(r"^(?:[A-Za-z0-9][\w.\-]{0,95}/)?[A-Za-z0-9][\w.\-]{0,95}$")


@dataclass(frozen=True)
class DeployedDashboard:
    space_id: str
    url: str
    revision: str
    share_id: int
    share_page_url: str

    def as_dict(self) -> dict:
        return {
            "space_id": self.space_id,
            "url": self.url,
            "revision": self.revision,
            "share_id": self.share_id,
            "share_page_url": self.share_page_url,
        }


def deploy_dashboard(
    *, user, job_ids: list[int], space: str = "", private: bool = False
) -> DeployedDashboard:
    """Create (or update) the Space `space` (default `<user>/asthub-dashboard`) showing
    `job_ids` live. Public unless `private`: the point is that anyone can watch."""
    space = (space or "").strip()
    if space and (not _SPACE.match(space) or ".." in space):
        raise InvalidInput(
            f"{space!r} is not a Space name; use 'name' or 'namespace/name'.",
            fields={"space": ["invalid"]},
        )
    token = use_credential(user=user, provider="huggingface")["token"]
    label = f"Space {space or DEFAULT_SPACE}"
    share, raw = create_share_token(user=user, job_ids=job_ids, label=label)
    api = hub_api(token)
    hub_url = settings.PUBLIC_BASE_URL
    try:
        with hub_errors("deploying the dashboard Space"):
            space_id = space if "/" in space else f"{api.whoami()['name']}/{space or DEFAULT_SPACE}"
            url = api.create_repo(
                space_id,
                repo_type="space",
                space_sdk="gradio",
                private=private,
                exist_ok=True,
                space_secrets=[{"key": SECRET_NAME, "value": raw}],
            )
            # An existing Space keeps its old secrets on create: set the new link anyway.
            api.add_space_secret(
                space_id, SECRET_NAME, raw, description="AST Training Hub share link"
            )
            commit = api.create_commit(
                space_id,
                [
                    CommitOperationAdd("app.py", app_source(hub_url).encode()),
                    CommitOperationAdd("requirements.txt", REQUIREMENTS.encode()),
                    CommitOperationAdd("README.md", readme("AST training, live", hub_url).encode()),
                ],
                commit_message="AST live dashboard",
                repo_type="space",
            )
    except (HubError, PlatformBusy) as error:
        revoke_share_token(user=user, share_id=share.pk)
        if isinstance(error, PlatformBusy):
            raise PlatformUnavailable(f"{error} The Space was not deployed.") from None
        raise
    return DeployedDashboard(
        space_id=space_id,
        url=str(url),
        revision=commit.oid,
        share_id=share.pk,
        share_page_url=share_urls(raw)["page_url"],
    )
