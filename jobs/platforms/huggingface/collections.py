"""Gather published runs into a Hugging Face collection (a model zoo such as
"AST-CIFAR100"): each run by the Hub repo it was published to, or Hub repos by id."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts import audit
from accounts.services import use_credential
from asthub_site.errors import Conflict, InvalidInput
from jobs.models import Publication, PublicationStatus
from jobs.platforms.base import PlatformBusy, PlatformUnavailable
from jobs.platforms.huggingface.client import hub_api, hub_errors
from jobs.platforms.huggingface.publishing import clean_repo_id
from jobs.selectors import job_for

MAX_TITLE = 60  # the Hub's limit on collection titles
MAX_ITEMS = 100


@dataclass(frozen=True)
class HubCollection:
    slug: str
    url: str
    title: str
    private: bool
    items: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "slug": self.slug,
            "url": self.url,
            "title": self.title,
            "private": self.private,
            "items": self.items,
        }


def published_repo(*, user, job_id: int) -> str:
    """The Hub repo a run was last published to, or a clear error saying how to get one."""
    job = job_for(user, job_id)
    publication = (
        Publication.objects.for_user(user)
        .filter(job=job, target_platform="huggingface", status=PublicationStatus.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )
    if publication is None or not publication.published_ref:
        raise InvalidInput(
            f"Job {job.pk} is not on the Hugging Face Hub yet; publish it first "
            "(sync_model to huggingface).",
            fields={"job_ids": [f"{job.pk} not published"]},
        )
    return publication.published_ref


def create_collection(
    *,
    user,
    title: str,
    job_ids: list[int] | None = None,
    repo_ids: list[str] | None = None,
    description: str = "",
    private: bool | None = None,
) -> HubCollection:
    """Create (or reuse, by title) a collection in the user's namespace and add each run's
    published repo and each given repo to it. Adding what is already there is fine.

    `private` None means: private when any item is private. The Hub shows a visitor only
    the items they may see, so a public collection of private models looks empty or
    incomplete to everyone but the owner; public then has to be asked for (False)."""
    title = (title or "").strip()
    if not title or len(title) > MAX_TITLE:
        raise InvalidInput(f"title: 1 to {MAX_TITLE} characters.", fields={"title": ["invalid"]})
    items: list[tuple[str, str]] = []
    for job_id in job_ids or []:
        items.append((published_repo(user=user, job_id=job_id), f"asthub job {job_id}"))
    for repo_id in repo_ids or []:
        cleaned = clean_repo_id(repo_id, required=True)
        if "/" not in cleaned:
            raise InvalidInput(f"{repo_id!r}: name Hub models as 'namespace/name'.")
        items.append((cleaned, ""))
    if not items:
        raise InvalidInput("Give job_ids of published runs and/or repo_ids to collect.")
    if len(items) > MAX_ITEMS:
        raise InvalidInput(f"At most {MAX_ITEMS} models per call.")
    api = hub_api(use_credential(user=user, provider="huggingface")["token"])
    try:
        with hub_errors("reading the models to collect"):
            private_items = [repo_id for repo_id, _ in items if api.model_info(repo_id).private]
        if private is None:
            private = bool(private_items)
        with hub_errors("creating the collection"):
            collection = api.create_collection(
                title,
                namespace=api.whoami()["name"],
                description=description or None,
                private=private,
                exists_ok=True,
            )
            if private and not collection.private:
                # Reused by title: this hub cannot change its visibility for the user.
                raise Conflict(
                    f"The collection {title!r} already exists and is public, so its private "
                    f"models ({', '.join(private_items) or 'none'}) would be hidden from "
                    "visitors. Make it private on huggingface.co, or pass private: false to "
                    "add them to the public collection anyway."
                )
            for repo_id, note in dict.fromkeys(items):
                collection = api.add_collection_item(
                    collection.slug, repo_id, "model", note=note or None, exists_ok=True
                )
    except PlatformBusy as busy:
        raise PlatformUnavailable(f"{busy} Try again in a minute.") from None
    result = HubCollection(
        slug=collection.slug,
        url=collection.url,
        title=collection.title,
        private=collection.private,
        items=[
            {"repo_id": i.item_id, "type": i.item_type, "note": i.note} for i in collection.items
        ],
    )
    audit.record(
        user=user,
        actor=user,
        action="hub.collection_updated",
        target=user,
        detail={"slug": result.slug, "added": [repo for repo, _ in items]},
    )
    return result
