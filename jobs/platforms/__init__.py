"""Platform adapters: one small interface (launch, poll, cancel, fetch_artifacts)."""

from jobs.platforms.base import PlatformAdapter, PlatformUnavailable
from jobs.platforms.huggingface.adapter import HuggingFaceJobsAdapter
from jobs.platforms.kaggle.adapter import KaggleAdapter
from jobs.platforms.local import LocalAdapter

ADAPTERS: dict[str, PlatformAdapter] = {
    "local": LocalAdapter(),
    "kaggle": KaggleAdapter(),
    "huggingface": HuggingFaceJobsAdapter(),
}


def adapter_for(platform: str) -> PlatformAdapter:
    try:
        return ADAPTERS[platform]
    except KeyError:
        raise PlatformUnavailable(
            f"Training on {platform!r} is not available on this hub yet; "
            f"available: {', '.join(ADAPTERS)}."
        ) from None
