"""The catalog of data sets and models a job may name, and where each platform gets them.

Read by the web process without importing torch: the architecture list is generated for
the locked torchvision and timm versions and checked in (models.json)."""

from jobs.catalog.checks import PlatformAbilities, Resolved, resolve
from jobs.catalog.entries import CatalogEntry, Needs, Source
from jobs.catalog.search import KINDS, all_entries, search_catalog

__all__ = [
    "KINDS",
    "CatalogEntry",
    "Needs",
    "PlatformAbilities",
    "Resolved",
    "Source",
    "all_entries",
    "resolve",
    "search_catalog",
]
