"""deploy_dashboard: a Gradio Space that charts runs live from a read-only share link.

The link is minted for exactly these runs (jobs.sharing) and handed to the Space only as
a secret; the Space's files are committed in one commit. If the Hub refuses anything, the
link just minted is revoked, so no unused credential is left behind.

The Space runs on huggingface.co and reads this hub at PUBLIC_BASE_URL, so a hub whose
address only its own network can reach (loopback, a private range, a local name) is
refused before anything is minted or created: the Space would only ever show an error.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from huggingface_hub import CommitOperationAdd

from accounts.services import use_credential
from asthub_site.errors import Conflict, HubError, InvalidInput
from jobs.platforms.base import PlatformBusy, PlatformUnavailable
from jobs.platforms.huggingface.client import hub_api, hub_errors
from jobs.platforms.huggingface.space_app import REQUIREMENTS, app_source, readme
from jobs.sharing.services import create_share_token, revoke_share_token
from jobs.sharing.urls_for import share_urls

SECRET_NAME = "ASTHUB_SHARE_TOKEN"  # noqa: S105 - the secret's name, not its value
DEFAULT_SPACE = "asthub-dashboard"
_SPACE = re.compile(r"^(?:[A-Za-z0-9][\w.\-]{0,95}/)?[A-Za-z0-9][\w.\-]{0,95}$")
# Names that resolve only inside a machine or a local network (RFC 6761, 6762, and the
# .internal top-level domain reserved for private use).
LOCAL_NAME_SUFFIXES = (".localhost", ".local", ".internal")


class HubNotReachable(Conflict):
    """The hub's own configuration (PUBLIC_BASE_URL) keeps a Space from reaching it."""

    code = "hub_not_reachable"


def why_not_reachable_from_the_internet(url: str) -> str:
    """Why a machine on the internet (a Space) could not reach `url`, or "" if it could.

    Judged from the address alone, without resolving names: an IP outside the global
    ranges, localhost, a local-only suffix or a single-label name is refused."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host:
        return "has no host name"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if host == "localhost" or host.endswith(LOCAL_NAME_SUFFIXES):
            return f"names {host}, which only resolves on this machine or its local network"
        if "." not in host:
            return f"names {host}, a single-label name that only a local network resolves"
        return ""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return f"points at {host}, the loopback address of the hub's own machine"
    if address.is_unspecified:
        return f"points at {host}, which is no address another machine can reach"
    if not address.is_global:
        return f"points at {host}, a private or link-local address"
    return ""


def check_reachable_by_spaces(base_url: str) -> None:
    """Raise HubNotReachable, with the way out, when a Space could not reach `base_url`."""
    why = why_not_reachable_from_the_internet(base_url)
    if not why:
        return
    parts = urlsplit(base_url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a malformed port in the setting: name the usual one
        port = 8000
    raise HubNotReachable(
        f"A dashboard Space runs on huggingface.co and reads this hub at its PUBLIC_BASE_URL "
        f"({base_url}), which {why}; a Space on huggingface.co cannot reach that address. "
        "Set PUBLIC_BASE_URL to a public https address and restart the hub: through a "
        f"tunnel (`cloudflared tunnel --url {base_url}` or `ngrok http {port}`, then the "
        "https URL it prints) or on a public host. Nothing was created."
    )


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
    hub_url = settings.PUBLIC_BASE_URL
    check_reachable_by_spaces(hub_url)
    token = use_credential(user=user, provider="huggingface")["token"]
    label = f"Space {space or DEFAULT_SPACE}"
    share, raw = create_share_token(user=user, job_ids=job_ids, label=label)
    api = hub_api(token)
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
