"""HF Jobs hardware flavors the hub offers, with their hourly prices (from reporting)."""

from asthub_site.errors import InvalidInput
from jobs.reporting.pricing import HF_FLAVOR_USD_PER_HOUR

FLAVORS: tuple[str, ...] = tuple(HF_FLAVOR_USD_PER_HOUR)
# What `hardware` means when a job names none: the spec's default is "cpu".
DEFAULT_FLAVOR = "cpu-basic"


def check_flavor(hardware: str) -> str:
    if hardware not in FLAVORS:
        raise InvalidInput(
            f"Unknown Hugging Face Jobs flavor {hardware!r}; flavors: {', '.join(FLAVORS)}.",
            fields={"hardware": ["unknown flavor"]},
        )
    return hardware
