"""What a run cost in money, energy, CO2 and platform quota.

Each platform charges differently, so each gets its own rule and the result carries a
``basis`` sentence saying which rule produced the number: a cost without its basis cannot
be checked by the reader of a model card.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .formatting import sig
from .records import RunRecord

# Hugging Face Jobs hourly prices in USD; billed per started minute.
HF_FLAVOR_USD_PER_HOUR: dict[str, float] = {
    "cpu-basic": 0.01,
    "cpu-upgrade": 0.03,
    "t4-small": 0.40,
    "t4-medium": 0.60,
    "l4x1": 0.80,
    "a10g-small": 1.00,
    "a10g-large": 1.50,
    "l40sx1": 1.80,
    "a100-large": 2.50,
    "h200": 5.00,
}

# Nominal board power, used only when a run reported no energy at all (the engine always
# reports at least an estimate, so this is a last resort for runs that died early).
_NOMINAL_ACCELERATOR_WATTS: tuple[tuple[str, float], ...] = (
    ("h200", 700.0),
    ("a100", 400.0),
    ("l40s", 350.0),
    ("p100", 250.0),
    ("a10g", 150.0),
    ("l4", 72.0),
    ("t4", 70.0),
)


@dataclass(frozen=True)
class PriceSettings:
    """Operator-set prices (from Django settings); defaults suit a US-average grid."""

    electricity_usd_per_kwh: float = 0.15
    grid_kg_co2_per_kwh: float = 0.4
    local_device_watts: float = 65.0
    kaggle_gpu_hour_value_usd: float = 0.0


@dataclass(frozen=True)
class RunCost:
    usd: float
    hours: float
    kwh: float
    co2_kg: float
    quota_hours: float
    basis: str
    energy_source: str = "unknown"

    def as_dict(self) -> dict[str, float | str]:
        return {
            "usd": self.usd,
            "hours": self.hours,
            "kwh": self.kwh,
            "co2_kg": self.co2_kg,
            "quota_hours": self.quota_hours,
            "basis": self.basis,
            "energy_source": self.energy_source,
        }


def hf_price_per_hour(flavor: str) -> float:
    try:
        return HF_FLAVOR_USD_PER_HOUR[flavor]
    except KeyError:
        raise ValueError(
            f"unknown Hugging Face Jobs flavor {flavor!r}; known flavors: "
            f"{', '.join(HF_FLAVOR_USD_PER_HOUR)}"
        ) from None


def is_cpu_hardware(hardware: str) -> bool:
    name = hardware.strip().lower()
    return name in ("", "cpu", "none") or name.startswith("cpu")


def nominal_watts(hardware: str, prices: PriceSettings) -> float:
    name = hardware.lower()
    for key, watts in _NOMINAL_ACCELERATOR_WATTS:
        if key in name:
            return watts
    return prices.local_device_watts


def cost_for(
    *,
    platform: str,
    hardware: str,
    hours: float,
    kwh: float | None,
    prices: PriceSettings,
    energy_source: str = "unknown",
) -> RunCost:
    """Cost of ``hours`` on ``platform``/``hardware``; shared by real and estimated runs.

    ``kwh`` is the engine's energy figure; ``None`` falls back to hours x nominal power.
    """
    if hours < 0:
        raise ValueError("hours must be >= 0")
    if kwh is None:
        watts = (
            prices.local_device_watts if platform == "local" else nominal_watts(hardware, prices)
        )
        kwh = hours * watts / 1000.0
        energy_source = f"estimated from {watts:g} W nominal power"
    co2_kg = kwh * prices.grid_kg_co2_per_kwh

    if platform == "huggingface":
        rate = hf_price_per_hour(hardware)
        minutes = math.ceil(round(hours * 60.0, 9))
        usd = minutes * rate / 60.0
        basis = f"hf-jobs {hardware} at ${rate:.2f}/h, billed per minute ({minutes} min)"
        return RunCost(usd, hours, kwh, co2_kg, 0.0, basis, energy_source)

    if platform == "kaggle":
        # Kaggle charges nothing, but accelerator time comes out of a weekly quota, which
        # is the scarce resource a user actually spends.
        quota = 0.0 if is_cpu_hardware(hardware) else hours
        usd = quota * prices.kaggle_gpu_hour_value_usd
        if quota == 0.0:
            basis = f"kaggle {hardware or 'cpu'}: free, no accelerator quota used"
        elif prices.kaggle_gpu_hour_value_usd:
            basis = (
                f"kaggle {hardware}: free, {quota:.2f} h of weekly GPU quota valued at "
                f"${prices.kaggle_gpu_hour_value_usd:.2f}/h"
            )
        else:
            basis = f"kaggle {hardware}: free, uses {quota:.2f} h of the weekly GPU quota"
        return RunCost(usd, hours, kwh, co2_kg, quota, basis, energy_source)

    if platform == "local":
        usd = kwh * prices.electricity_usd_per_kwh
        basis = (
            f"local {hardware or 'cpu'}: {sig(kwh)} kWh ({energy_source}) at "
            f"${prices.electricity_usd_per_kwh:.2f}/kWh"
        )
        return RunCost(usd, hours, kwh, co2_kg, 0.0, basis, energy_source)

    raise ValueError(f"unknown platform {platform!r}; known platforms: local, kaggle, huggingface")


def run_cost(run: RunRecord, prices: PriceSettings) -> RunCost:
    """Cost of a stored run from its own metrics/summary."""
    run.require_data()
    hours = run.wall_hours
    if run.platform == "huggingface" and run.billed_seconds is not None:
        hours = run.billed_seconds / 3600.0
    if hours is None:
        raise ValueError(f"run {run.id} has no wall time yet")
    return cost_for(
        platform=run.platform,
        hardware=run.hardware,
        hours=hours,
        kwh=run.energy_kwh,
        prices=prices,
        energy_source=run.energy_source,
    )
