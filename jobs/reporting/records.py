"""One training run as plain data, plus the few derived numbers every report needs.

The engine writes a ``summary.json`` at the end and a metric point per epoch. A finished run
has both; a running or cancelled one may only have points. Every helper prefers the summary
(the engine's final word) and falls back to the last point, so reports work on partial runs
too, and says ``None`` rather than guessing when neither has the number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PLATFORMS = ("local", "kaggle", "huggingface")


@dataclass(frozen=True)
class RunRecord:
    """What the reporting layer knows about one run (built by the Django side)."""

    id: int
    name: str
    platform: str
    hardware: str
    dataset: str
    model: str
    is_baseline: bool
    config: dict[str, Any]
    engine_version: str
    script_sha256: str
    status: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    metrics: list[dict[str, Any]] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    # What the platform measured and bills (HF Jobs: the job's running time), which
    # includes start-up and upload around the engine's own wall time.
    billed_seconds: float | None = None

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(
                f"run {self.id}: unknown platform {self.platform!r}; "
                f"known platforms: {', '.join(PLATFORMS)}"
            )
        # Callers promise epoch order, but a queryset without order_by would silently
        # break "last point" logic, so sort a copy rather than trust it.
        ordered = sorted(self.metrics, key=lambda point: point.get("epoch", 0))
        object.__setattr__(self, "metrics", ordered)

    # -- raw lookups --------------------------------------------------------------------

    @property
    def last_metric(self) -> dict[str, Any] | None:
        return self.metrics[-1] if self.metrics else None

    def final_value(self, key: str, summary_key: str | None = None) -> Any:
        """The summary's value if present, else the last metric point's, else None."""
        if self.summary and self.summary.get(summary_key or key) is not None:
            return self.summary[summary_key or key]
        last = self.last_metric
        if last is not None and last.get(key) is not None:
            return last[key]
        return None

    def require_data(self) -> None:
        """Raise a clear error for a run that has produced nothing to report yet."""
        if not self.metrics and not self.summary:
            raise ValueError(f"run {self.id} has no metrics yet")

    # -- derived numbers ----------------------------------------------------------------

    @property
    def final_accuracy(self) -> float | None:
        """Validation accuracy as a fraction in [0, 1]."""
        value = self.final_value("val_accuracy", "final_val_accuracy")
        return None if value is None else float(value)

    @property
    def wall_seconds(self) -> float | None:
        value = self.final_value("wall_seconds")
        if value is not None:
            return float(value)
        # A run whose engine never reported still occupied the machine for this long.
        if self.started_at is not None and self.finished_at is not None:
            return max((self.finished_at - self.started_at).total_seconds(), 0.0)
        return None

    @property
    def wall_hours(self) -> float | None:
        seconds = self.wall_seconds
        return None if seconds is None else seconds / 3600.0

    @property
    def train_seconds(self) -> float | None:
        value = self.final_value("train_seconds")
        return None if value is None else float(value)

    @property
    def energy_kwh(self) -> float | None:
        """Total energy the engine measured or estimated (training plus validation)."""
        value = self.final_value("energy_kwh")
        return None if value is None else float(value)

    @property
    def train_energy_kwh(self) -> float | None:
        """Training-phase energy; only the summary splits it out."""
        if self.summary and self.summary.get("train_energy_kwh") is not None:
            return float(self.summary["train_energy_kwh"])
        return None

    @property
    def energy_source(self) -> str:
        """``measured`` (hardware counters), ``estimated`` (time x power) or ``unknown``."""
        value = self.final_value("energy_source")
        return str(value) if value else "unknown"

    @property
    def forward_equivalents(self) -> int | None:
        value = self.final_value("forward_equivalents")
        return None if value is None else int(value)

    @property
    def baseline_forward_equivalents(self) -> int | None:
        """What plain training over the same samples would have cost (engine's count)."""
        value = self.final_value("baseline_forward_equivalents")
        return None if value is None else int(value)

    @property
    def compute_savings(self) -> float | None:
        value = self.final_value("compute_savings")
        return None if value is None else float(value)

    @property
    def energy_savings(self) -> float | None:
        value = self.final_value("energy_savings")
        return None if value is None else float(value)

    @property
    def epochs_planned(self) -> int | None:
        value = self.final_value("epochs")
        if value is None:
            value = self.config.get("epochs")
        return None if value is None else int(value)

    @property
    def epochs_completed(self) -> int:
        if self.summary and self.summary.get("epochs_completed") is not None:
            return int(self.summary["epochs_completed"])
        last = self.last_metric
        return int(last.get("epoch", 0)) if last else 0

    @property
    def ast_settings(self) -> dict[str, Any]:
        value = self.config.get("ast")
        return dict(value) if isinstance(value, dict) else {}

    @property
    def target_activation_rate(self) -> float | None:
        value = self.ast_settings.get("target_activation_rate")
        return None if value is None else float(value)
