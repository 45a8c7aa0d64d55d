"""Work and energy accounting.

Work is counted in *sample forward-equivalents*: a sample's forward pass costs 1 and its
backward pass 2 (the usual rule of thumb: the backward computes gradients with respect to
both activations and weights). Plain training costs 3 per sample per epoch; an AST step
costs 1 per scored sample (the no-grad selection forward; 0 for rows scored from stale
values) plus 3 per selected sample. Validation forwards are the same in both and are left
out of both sides.

Energy is *measured* through CodeCarbon only when it can read hardware counters (RAPL on
the CPU, NVML on an NVIDIA GPU); otherwise it is *estimated* as measured time x device
power and labelled so. Energy savings compare the run's training energy with a baseline
priced from energy per forward-equivalent measured over the same run (``EnergyLedger``):
they come from measurements, never from the activation rate.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

BACKWARD_COST = 2
# Steady epochs whose work differs by less than this (coefficient of variation) are priced
# at their average cost per forward-equivalent: a slope through them would fit noise.
MIN_WORK_SPREAD = 0.1
PLAIN_COST_PER_SAMPLE = 1 + BACKWARD_COST


@dataclass
class WorkCounters:
    """Sample-level counts of the passes that actually ran."""

    selection_forwards: int = 0
    train_forwards: int = 0
    backwards: int = 0
    samples_seen: int = 0
    samples_activated: int = 0

    @property
    def forward_equivalents(self) -> int:
        return self.selection_forwards + self.train_forwards + BACKWARD_COST * self.backwards

    @property
    def baseline_forward_equivalents(self) -> int:
        """What plain training over the same samples would have cost."""
        return PLAIN_COST_PER_SAMPLE * self.samples_seen

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def compute_savings(counters: WorkCounters) -> float:
    """``1 - used / baseline`` in forward-equivalents (negative if AST did more work)."""
    baseline = counters.baseline_forward_equivalents
    if baseline == 0:
        return 0.0
    return 1.0 - counters.forward_equivalents / baseline


def hardware_counters_readable(device: torch.device) -> bool:
    """True when CodeCarbon could read real energy counters rather than estimate."""
    if device.type == "cuda":
        try:
            import pynvml  # noqa: F401  (CodeCarbon reads NVML through it)
        except ImportError:
            return False
        return True
    rapl = "/sys/class/powercap/intel-rapl:0/energy_uj"
    return os.path.exists(rapl) and os.access(rapl, os.R_OK)


def default_power_watts(device: torch.device) -> float:
    """Rough draw used only for *estimated* energy; override with ``device_power_watts``."""
    if device.type == "cuda":
        return 300.0
    # About 10 W per busy core of a server CPU.
    return 10.0 * max(1, torch.get_num_threads())


class EnergyMeter:
    """Measures energy of phases (e.g. one epoch's training) and keeps the totals.

    Without hardware counters on the CPU, the estimate uses the process's CPU time rather
    than wall time: on a shared machine, time spent descheduled draws no power for us.
    """

    def __init__(self, device: torch.device, power_watts: float | None = None) -> None:
        self.device = device
        self.power_watts = power_watts or default_power_watts(device)
        self.source = "estimated"
        self._tracker: Any = None
        if hardware_counters_readable(device):
            self._tracker = _start_codecarbon()
            if self._tracker is not None:
                self.source = "measured"
        self._started: tuple[float, float] | None = None
        self._task = 0

    @property
    def estimate_basis(self) -> str:
        if self.device.type == "cpu":
            return "process CPU seconds / threads x device power"
        return "wall seconds x device power"

    def start(self) -> None:
        self._started = (time.perf_counter(), time.process_time())
        if self._tracker is not None:
            self._task += 1
            self._tracker.start_task(f"phase{self._task}")

    def stop(self) -> tuple[float, float, float]:
        """Wall seconds, CPU seconds and kWh of the phase since ``start``."""
        assert self._started is not None
        seconds = time.perf_counter() - self._started[0]
        cpu_seconds = time.process_time() - self._started[1]
        self._started = None
        if self._tracker is not None:
            try:
                data = self._tracker.stop_task()
                return seconds, cpu_seconds, float(data.energy_consumed)
            except Exception:  # noqa: BLE001  (a failed read must not kill training)
                self._tracker = None
                self.source = "estimated"
        if self.device.type == "cpu":
            busy = cpu_seconds / max(1, torch.get_num_threads())
            return seconds, cpu_seconds, busy * self.power_watts / 3.6e6
        return seconds, cpu_seconds, seconds * self.power_watts / 3.6e6

    def close(self) -> None:
        if self._tracker is not None:
            with contextlib.suppress(Exception):
                self._tracker.stop()
            self._tracker = None


def _start_codecarbon() -> Any:
    try:
        from codecarbon import OfflineEmissionsTracker
    except ImportError:
        return None
    try:
        return OfflineEmissionsTracker(
            country_iso_code="USA",
            save_to_file=False,
            log_level="error",
            allow_multiple_runs=True,
        )
    except Exception:  # noqa: BLE001
        return None


@dataclass
class EnergyLedger:
    """Training-phase energy of the run, and what plain training would have drawn.

    Plain training would have drawn this run's own training energy plus the price of the
    work AST skipped. That price is the *marginal* energy per forward-equivalent, measured on
    the run's *steady* epochs (every epoch but the first of a session): each full-data
    epoch (warmup after the first, anneal) against the sampled epoch nearest it in time,
    extra energy over extra work. Each epoch's fixed costs (drawing the rows, its last short
    batch) are then paid on both sides and priced on neither, and a machine whose speed
    drifts over a long run (shared hosts, thermal limits) drifts out. Until the run has
    both kinds of steady epoch, the average price over the steady epochs is used (it
    includes those fixed costs, so it errs towards a larger saving).

    The first epoch carries one-off costs (allocator growth, kernel selection, first touch
    of the data) that a paired plain run pays too; pricing skipped work with it made a
    4-epoch run claim 0.61 where 0.20 was measured. So it is left out of the price.
    """

    train_kwh: float = 0.0
    eval_kwh: float = 0.0
    train_seconds: float = 0.0
    train_cpu_seconds: float = 0.0
    # Steady epochs as [epoch, forward-equivalents, kWh].
    steady: list[list[float]] = field(default_factory=list)

    @property
    def total_kwh(self) -> float:
        return self.train_kwh + self.eval_kwh

    def book_epoch(
        self, seconds: float, cpu_seconds: float, kwh: float, *, epoch: int, fe: int, steady: bool
    ) -> None:
        """One epoch's (or a stopped epoch's part's) training time and energy."""
        self.train_seconds += seconds
        self.train_cpu_seconds += cpu_seconds
        self.train_kwh += kwh
        if steady and fe > 0:
            self.steady.append([epoch, fe, kwh])

    def price_per_fe(self) -> tuple[float, str] | None:
        """Marginal kWh per forward-equivalent and how it was found (None: no steady epoch)."""
        total_fe = sum(fe for _, fe, _ in self.steady)
        total_kwh = sum(kwh for _, _, kwh in self.steady)
        if total_fe <= 0 or total_kwh <= 0:
            return None
        average = total_kwh / total_fe
        most = max(fe for _, fe, _ in self.steady)
        # Work must differ by more than a sampled epoch's own jitter (a few per cent).
        full = [e for e in self.steady if e[1] >= (1 - MIN_WORK_SPREAD) * most]
        sampled = [e for e in self.steady if e[1] < (1 - MIN_WORK_SPREAD) * most]
        if not sampled:
            return average, "average"
        # Each full-data epoch against the sampled epoch nearest in time: a machine whose
        # speed drifts over a long run (shared hosts, thermal limits) then drifts out.
        extra_kwh = extra_fe = 0.0
        for epoch, fe, kwh in full:
            near = min(sampled, key=lambda e: (abs(e[0] - epoch), e[0]))
            extra_fe += fe - near[1]
            extra_kwh += kwh - near[2]
        slope = extra_kwh / extra_fe
        # Above the average would mean negative fixed costs, and <= 0 no cost: noise.
        if not 0 < slope <= average:
            return average, "average"
        return slope, "marginal"

    def baseline_kwh(self, counters: WorkCounters) -> float | None:
        """Estimated training energy of plain training over the same samples."""
        price = self.price_per_fe()
        if price is None:
            return None
        skipped = counters.baseline_forward_equivalents - counters.forward_equivalents
        return self.train_kwh + price[0] * skipped

    def energy_savings(self, counters: WorkCounters, is_baseline: bool) -> tuple[float | None, str]:
        """Savings and a sentence saying how they were obtained."""
        if is_baseline:
            return 0.0, "baseline run: plain training, nothing to compare"
        price = self.price_per_fe()
        baseline = self.baseline_kwh(counters)
        if price is None or baseline is None:
            return None, (
                "too short to estimate: the skipped work is priced on the epochs after the "
                "first, and none has finished"
            )
        how = (
            "marginal energy per forward-equivalent (slope over the epochs after the first)"
            if price[1] == "marginal"
            else "average energy per forward-equivalent over the epochs after the first"
        )
        return 1.0 - self.train_kwh / baseline, (
            f"1 - training energy / (training energy + skipped forward-equivalents x {how}); "
            "start-up costs on both sides, validation excluded on both sides"
        )

    def state_dict(self) -> dict[str, Any]:
        return asdict(self)

    def load_state_dict(self, state: dict[str, Any]) -> None:
        known = set(asdict(self))
        for key, value in state.items():
            if key in known:
                setattr(self, key, value)
