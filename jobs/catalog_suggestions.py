"""What the New job form offers to pick from: the catalog's names (type-ahead), the data
sets and the everyday models its search panel browses without a request, and each
platform's hardware names."""

from jobs.catalog import CatalogEntry, search_catalog
from jobs.platforms.huggingface.flavors import FLAVORS
from jobs.platforms.kaggle.kernels import HARDWARE as KAGGLE_HARDWARE

# The families the model search shows before anything is typed; typing searches the whole
# catalog (GET /api/v1/catalog), whose timm part runs to well over a thousand names.
BROWSED_MODEL_FAMILIES = ("built-in", "torchvision")


def hardware_sources() -> tuple[tuple[str, ...], ...]:
    """Every hardware name some platform uses, list by list as each platform gives them."""
    return (("cpu",), FLAVORS, tuple(KAGGLE_HARDWARE))


def catalog_suggestions() -> dict[str, list[str]]:
    return {
        "dataset_names": [entry.name for entry in search_catalog(kind="dataset")],
        "model_names": [entry.name for entry in search_catalog(kind="model")],
    }


def picker_entry(entry: CatalogEntry) -> dict:
    """What the search panel shows of an entry (the API's entry, less what it does not
    show)."""
    return {
        "name": entry.name,
        "summary": entry.summary,
        "family": entry.family,
        "pattern": entry.pattern,
        "platforms": list(entry.sources),
        "min_plan": entry.needs.min_plan,
    }


def picker_catalog() -> dict[str, list[dict]]:
    return {
        "datasets": [picker_entry(entry) for entry in search_catalog(kind="dataset")],
        "models": [
            picker_entry(entry)
            for entry in search_catalog(kind="model")
            if entry.family in BROWSED_MODEL_FAMILIES
        ],
    }
