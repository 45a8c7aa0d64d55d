"""What the New job form suggests as you type: the catalog's names and each platform's
hardware names."""

from jobs.catalog import search_catalog
from jobs.platforms.huggingface.flavors import FLAVORS
from jobs.platforms.kaggle.kernels import HARDWARE as KAGGLE_HARDWARE


def catalog_suggestions() -> dict[str, list[str]]:
    return {
        "dataset_names": [entry.name for entry in search_catalog(kind="dataset")],
        "model_names": [entry.name for entry in search_catalog(kind="model")],
        "hardware_names": list(dict.fromkeys(["cpu", *KAGGLE_HARDWARE, *FLAVORS])),
    }
