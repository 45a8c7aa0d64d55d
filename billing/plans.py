"""The plan catalog. Plans live in code; per-account overrides live in the database.

"Unlimited" is an explicit flag on a limit, never a large number standing in for one.
"""

from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Limit:
    amount: int = 0
    unlimited: bool = False

    @classmethod
    def of(cls, amount: int) -> "Limit":
        return cls(amount=amount)

    @classmethod
    def none(cls) -> "Limit":
        return cls(unlimited=True)

    def allows(self, used: int) -> bool:
        """True when one more unit fits on top of `used`."""
        return self.unlimited or used < self.amount

    def as_json(self) -> int | None:
        return None if self.unlimited else self.amount

    def __str__(self) -> str:
        return "unlimited" if self.unlimited else str(self.amount)


ALL_HARDWARE = "all"
# Hardware any plan may use: CPU everywhere and T4-class GPUs on Kaggle and HF.
BASIC_HARDWARE = frozenset({"cpu", "cpu-basic", "cpu-upgrade", "t4", "t4-small", "t4-medium"})


@dataclass(frozen=True)
class Plan:
    name: str
    title: str
    monthly_jobs: Limit
    concurrent_jobs: Limit
    max_runtime_hours: Limit
    artifact_storage_gb: Limit
    api_tokens: Limit
    api_requests_per_minute: Limit
    hardware: frozenset[str] | str = field(default=BASIC_HARDWARE)
    priority_queue: bool = False
    monthly_price_usd: int = 0
    # Models above the catalog's large-model size (jobs.catalog.models) need a GPU
    # that only paid plans get.
    large_models: bool = False

    def allows_hardware(self, hardware: str) -> bool:
        return self.hardware == ALL_HARDWARE or hardware in self.hardware

    def limits(self) -> dict[str, Limit]:
        return {
            "monthly_jobs": self.monthly_jobs,
            "concurrent_jobs": self.concurrent_jobs,
            "max_runtime_hours": self.max_runtime_hours,
            "artifact_storage_gb": self.artifact_storage_gb,
            "api_tokens": self.api_tokens,
            "api_requests_per_minute": self.api_requests_per_minute,
        }


LIMIT_NAMES = (
    "monthly_jobs",
    "concurrent_jobs",
    "max_runtime_hours",
    "artifact_storage_gb",
    "api_tokens",
    "api_requests_per_minute",
)

FREE = Plan(
    name="free",
    title="Free",
    monthly_jobs=Limit.of(10),
    concurrent_jobs=Limit.of(1),
    max_runtime_hours=Limit.of(2),
    artifact_storage_gb=Limit.of(5),
    api_tokens=Limit.of(3),
    api_requests_per_minute=Limit.of(60),
)

PRO = Plan(
    name="pro",
    title="Pro",
    monthly_jobs=Limit.none(),
    concurrent_jobs=Limit.of(5),
    max_runtime_hours=Limit.of(24),
    artifact_storage_gb=Limit.of(100),
    api_tokens=Limit.of(25),
    api_requests_per_minute=Limit.of(600),
    hardware=ALL_HARDWARE,
    priority_queue=True,
    monthly_price_usd=29,
    large_models=True,
)


def _enterprise() -> Plan:
    """Self-hosted: every limit comes from ENTERPRISE_LIMITS and is unlimited when unset."""
    configured: dict[str, Any] = getattr(settings, "ENTERPRISE_LIMITS", {}) or {}
    limits = {
        name: Limit.of(int(configured[name])) if configured.get(name) is not None else Limit.none()
        for name in LIMIT_NAMES
    }
    return Plan(
        name="enterprise",
        title="Enterprise",
        hardware=ALL_HARDWARE,
        priority_queue=True,
        large_models=True,
        **limits,
    )


def catalog() -> dict[str, Plan]:
    return {"free": FREE, "pro": PRO, "enterprise": _enterprise()}


def plan_named(name: str) -> Plan:
    plans = catalog()
    if name not in plans:
        raise KeyError(f"Unknown plan {name!r}; plans: {', '.join(plans)}.")
    return plans[name]


def with_overrides(plan: Plan, overrides: dict[str, Limit]) -> Plan:
    return replace(plan, **overrides) if overrides else plan
