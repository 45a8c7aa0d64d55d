"""Finding catalog entries by kind, platform and text, best matches first."""

from jobs.catalog.datasets import DATASETS
from jobs.catalog.entries import CatalogEntry
from jobs.catalog.models import models

KINDS = ("dataset", "model")


def all_entries() -> tuple[CatalogEntry, ...]:
    return DATASETS + models()


def search_catalog(
    *, kind: str | None = None, platform: str | None = None, query: str = ""
) -> list[CatalogEntry]:
    text = query.strip().lower()
    found = [
        entry
        for entry in all_entries()
        if (kind is None or entry.kind == kind)
        and (platform is None or platform in entry.sources)
        and (not text or text in entry.name.lower() or text in entry.summary.lower())
    ]
    if not text:
        return found
    # An exact name first, then names that start with the text (shortest first: resnet18
    # before resnet101_clip_gap), then any other match.
    return sorted(
        found,
        key=lambda entry: (
            entry.name.lower() != text,
            not entry.name.lower().startswith(text),
            text not in entry.name.lower(),
            len(entry.name),
        ),
    )
