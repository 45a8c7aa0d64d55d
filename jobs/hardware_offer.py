"""The hardware each platform offers, as the New job form shows it to one plan: every name
the platform accepts, with those the plan does not allow marked (and the plan that does),
rather than hidden. The platform adapters decide which names they accept; billing's plans
decide which are allowed."""

from dataclasses import asdict, dataclass
from functools import cache

from asthub_site.errors import InvalidInput
from billing.plans import Plan, catalog
from jobs.catalog_suggestions import hardware_sources
from jobs.platforms import ADAPTERS
from jobs.platforms.base import PlatformAdapter

DEFAULT_HARDWARE = "cpu"


@dataclass(frozen=True)
class HardwareChoice:
    name: str
    allowed: bool
    needs: str = ""  # why not allowed: "Pro plan"

    def as_dict(self) -> dict:
        return asdict(self)


def _accepts(adapter: PlatformAdapter, name: str) -> bool:
    # A platform offers a name when it keeps it as its own (HF maps the generic "cpu" to
    # cpu-basic: it offers cpu-basic, not "cpu").
    try:
        return adapter.hardware_name(name) == name
    except InvalidInput:
        return False


@cache
def platform_hardware() -> dict[str, tuple[str, ...]]:
    """Each platform's hardware names, in the order of the list it takes most of."""
    offered = {}
    for platform, adapter in ADAPTERS.items():
        accepted = [
            [name for name in source if _accepts(adapter, name)] for source in hardware_sources()
        ]
        accepted.sort(key=len, reverse=True)
        offered[platform] = tuple(dict.fromkeys(name for names in accepted for name in names))
    return offered


def plan_needed(hardware: str) -> str:
    """The first plan (cheapest first) that allows this hardware, as a person reads it."""
    for plan in catalog().values():
        if plan.allows_hardware(hardware):
            return f"{plan.title} plan"
    return "not on any plan"


def hardware_offer(plan: Plan) -> dict[str, list[HardwareChoice]]:
    return {
        platform: [
            HardwareChoice(name, True)
            if plan.allows_hardware(name)
            else HardwareChoice(name, False, plan_needed(name))
            for name in names
        ]
        for platform, names in platform_hardware().items()
    }


def hardware_refusal(plan: Plan, *, platform: str, hardware: str) -> str:
    """Why this plan may not use this platform's hardware, or "" when it may (or when the
    name is not one the platform offers: the spec check says what it accepts)."""
    if hardware not in platform_hardware().get(platform, ()) or plan.allows_hardware(hardware):
        return ""
    allowed = [choice.name for choice in hardware_offer(plan)[platform] if choice.allowed]
    return (
        f"{hardware!r} needs the {plan_needed(hardware)}; your {plan.title} plan has "
        f"{', '.join(allowed) or 'none of its hardware'} here."
    )
