"""Which platforms a model can be copied from and to on this hub."""

from jobs.platforms.base import PlatformUnavailable
from jobs.platforms.huggingface.publishing import HubSource, HubTarget
from jobs.platforms.kaggle.models import KaggleKernelSource, KaggleModelTarget
from jobs.platforms.publishing_base import ModelSource, ModelTarget
from jobs.publishing.local_target import LocalTarget

# Each platform's adapter package registers its source and target here.
SOURCES: dict[str, ModelSource] = {
    "huggingface": HubSource(),
    "kaggle": KaggleKernelSource(),
}
TARGETS: dict[str, ModelTarget] = {
    "local": LocalTarget(),
    "huggingface": HubTarget(),
    "kaggle": KaggleModelTarget(),
}


def target_for(platform: str) -> ModelTarget:
    try:
        return TARGETS[platform]
    except KeyError:
        raise PlatformUnavailable(
            f"Publishing to {platform!r} is not available on this hub; "
            f"targets: {', '.join(sorted(TARGETS))}."
        ) from None


def source_for(platform: str) -> ModelSource:
    try:
        return SOURCES[platform]
    except KeyError:
        raise PlatformUnavailable(
            f"Copying a model from {platform!r} by reference is not available on this hub; "
            f"sources: {', '.join(sorted(SOURCES)) or 'none'} (or pass a finished job's id)."
        ) from None
