"""Checking a spec's data set and model against the catalog and the chosen platform, before
anything is reserved or launched."""

from dataclasses import dataclass
from typing import Protocol

from asthub_site.errors import InvalidInput
from jobs.catalog.entries import CatalogEntry
from jobs.catalog.models import VISION_FAMILIES, models_by_name
from jobs.catalog.names import dataset_entry, did_you_mean


class PlatformAbilities(Protocol):
    """What the catalog asks of a platform adapter."""

    name: str

    def missing_packages(self, packages: tuple[str, ...]) -> list[str]: ...

    def has_gpu(self, hardware: str) -> bool: ...

    def cannot_download(self) -> str:
        """Why a run here cannot download at start (pretrained weights), or ""."""


@dataclass(frozen=True)
class Resolved:
    dataset: CatalogEntry
    dataset_source: str  # what the platform is handed: a name, kaggle:..., hf:...
    model: CatalogEntry


def resolve(
    *,
    dataset: str,
    model: str,
    hardware: str,
    image_size: int,
    platform: PlatformAbilities,
    pretrained: bool = False,
) -> Resolved:
    data_entry = dataset_entry(dataset)
    source = _source_on(data_entry, dataset, platform.name, field="dataset")
    _check_packages(data_entry, dataset, platform, field="dataset")
    model_entry = model_entry_named(model)
    _source_on(model_entry, model, platform.name, field="model")
    _check_packages(model_entry, model, platform, field="model")
    for entry, field in ((model_entry, "model"), (data_entry, "dataset")):
        if entry.needs.gpu and not platform.has_gpu(hardware):
            name = model if field == "model" else dataset
            raise InvalidInput(
                f"{name} needs a GPU and {hardware!r} on {platform.name} has none; "
                "pick GPU hardware (Kaggle: t4, l4, a100; Hugging Face: t4-small, a10g-small, "
                "...) or a smaller " + ("model." if field == "model" else "data set."),
                fields={"hardware": [f"{entry.name} needs a GPU"]},
            )
    _check_inputs(data_entry, model_entry, image_size)
    if pretrained:
        _check_pretrained(model_entry, platform)
    fetch = dataset if data_entry.pattern else source
    return Resolved(dataset=data_entry, dataset_source=fetch, model=model_entry)


def _check_inputs(data: CatalogEntry, model: CatalogEntry, image_size: int) -> None:
    """Refuse what the engine could only fail on: a vision model on signals, or a
    fixed-size model at another size."""
    if model.family not in VISION_FAMILIES:
        return
    if data.modality == "signal":
        raise InvalidInput(
            f"{model.name} is an image model and {data.name} holds 1-D signals; use mlp or "
            "cnn for it.",
            fields={"model": ["needs images"]},
        )
    if model.fixed_input_size and model.fixed_input_size != image_size:
        raise InvalidInput(
            f"{model.name} takes {model.fixed_input_size}×{model.fixed_input_size} images "
            f"only; set image_size to {model.fixed_input_size} (it is {image_size}).",
            fields={"image_size": [f"{model.name} needs {model.fixed_input_size}"]},
        )


def _check_pretrained(model: CatalogEntry, platform: PlatformAbilities) -> None:
    """Weights exist only for the torchvision and timm architectures, and they download
    when the run starts: refuse before launch where that cannot work."""
    if model.family not in VISION_FAMILIES:
        raise InvalidInput(
            f"{model.name} has no pretrained weights; pretrained applies to torchvision and "
            "timm architectures (resnet50, efficientnet_b0, ...). Set pretrained to false.",
            fields={"pretrained": [f"{model.name} has no weights"]},
        )
    offline = platform.cannot_download()
    if offline:
        raise InvalidInput(
            f"pretrained weights download when the run starts, and {offline} Train it on "
            "huggingface (or kaggle), or set pretrained to false.",
            fields={"pretrained": [f"no internet on {platform.name}"]},
        )


def model_entry_named(name: str) -> CatalogEntry:
    known = models_by_name()
    entry = known.get(name)
    if entry is None:
        raise InvalidInput(
            f"Unknown model {name!r}.{did_you_mean(name, known)} Built in: mlp, cnn; and "
            f"{len(known) - 2} torchvision and timm architectures "
            "(GET /api/v1/catalog?kind=model lists them).",
            fields={"model": ["unknown"]},
        )
    return entry


def _source_on(entry: CatalogEntry, name: str, platform: str, *, field: str) -> str:
    source = entry.sources.get(platform)
    if source is None:
        why = entry.unavailable.get(platform) or f"{platform} cannot reach it."
        where = ", ".join(entry.platforms) or "no platform yet"
        raise InvalidInput(
            f"{name} is not available on {platform}: {why} Available on: {where}.",
            fields={field: [f"not available on {platform}"]},
        )
    return source.fetch


def _check_packages(
    entry: CatalogEntry, name: str, platform: PlatformAbilities, *, field: str
) -> None:
    missing = platform.missing_packages(entry.needs.packages)
    if missing:
        elsewhere = ", ".join(p for p in entry.platforms if p != platform.name)
        raise InvalidInput(
            f"{name} needs the Python package(s) {', '.join(missing)}, which runs on "
            f"{platform.name} cannot import here; train it on {elsewhere or 'another hub'}, "
            "or ask the hub's operator to install them.",
            fields={field: [f"needs {', '.join(missing)}"]},
        )
