"""The models a spec may name: the engine's two built-ins, and the torchvision and timm
architectures of the versions in the lock (models.json, written by
`manage.py refresh_model_catalog`, so the web process never imports torch)."""

import json
from functools import cache
from pathlib import Path

from jobs.catalog.entries import CatalogEntry, Needs, Source

MODEL_LIST = Path(__file__).with_name("models.json")
PLATFORMS = ("local", "kaggle", "huggingface")
# Above this size a model needs a GPU to train in any reasonable time, and Pro's hardware.
LARGE_MODEL_MILLIONS = 100.0
VISION_FAMILIES = ("torchvision", "timm")

BUILT_IN = (
    CatalogEntry(
        name="mlp",
        kind="model",
        family="built-in",
        summary="A two-hidden-layer perceptron (256 units): quick on any data set.",
        sources={platform: Source("mlp") for platform in PLATFORMS},
    ),
    CatalogEntry(
        name="cnn",
        kind="model",
        family="built-in",
        summary="A small convolutional network, 1-D for signals (MNIST-1D) and 2-D for images.",
        sources={platform: Source("cnn") for platform in PLATFORMS},
    ),
)


def _architecture(item: dict) -> CatalogEntry:
    params = item.get("params_millions")
    large = params is not None and params > LARGE_MODEL_MILLIONS
    size = f", {params:,.1f} M parameters" if params is not None else ""
    fixed = item.get("fixed_input_size")
    fixed_text = f"; needs {fixed}×{fixed} inputs" if fixed else ""
    return CatalogEntry(
        name=item["name"],
        kind="model",
        family=item["source"],
        summary=f"{item['source']} architecture{size}{fixed_text}.",
        sources={platform: Source(item["name"]) for platform in PLATFORMS},
        needs=Needs(
            gpu=large,
            packages=("torchvision",) if item["source"] == "torchvision" else ("timm",),
            min_plan="pro" if large else "free",
        ),
        params_millions=params,
        fixed_input_size=fixed,
    )


@cache
def architectures() -> tuple[CatalogEntry, ...]:
    listed = json.loads(MODEL_LIST.read_text(encoding="utf-8"))
    return tuple(_architecture(item) for item in listed["models"])


@cache
def generated_for() -> dict[str, str]:
    return dict(json.loads(MODEL_LIST.read_text(encoding="utf-8"))["generated_for"])


def models() -> tuple[CatalogEntry, ...]:
    return BUILT_IN + architectures()


@cache
def models_by_name() -> dict[str, CatalogEntry]:
    """Every model by name, built once per process: each spec check looks one up."""
    return {entry.name: entry for entry in models()}
