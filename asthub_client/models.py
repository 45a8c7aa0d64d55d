"""Typed views of the server's objects: a training job and one live event."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

TERMINAL_STATUSES = frozenset({"succeeded", "failed", "cancelled"})


@dataclass
class Job:
    id: int
    status: str
    name: str = ""
    platform: str = "local"
    dataset: str = ""
    model: str = ""
    epochs: int = 0
    batch_size: int = 0
    learning_rate: float = 0.0
    seed: int = 0
    hardware: str = ""
    ast_config: dict[str, Any] = field(default_factory=dict)
    is_baseline: bool = False
    baseline_id: int | None = None
    sweep_id: int | None = None
    auto_upload_hf: bool = False
    hf_repo: str = ""
    external_id: str = ""
    failure_reason: str = ""
    created_at: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    engine_version: str = ""
    script_sha256: str = ""
    # The server sends null before the first epoch; an empty dict spares callers the check.
    progress: dict[str, Any] = field(default_factory=dict)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        # Fields the server adds later are ignored rather than breaking older clients.
        known = {f.name for f in dataclasses.fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        # The hub's shared names; `id` and `baseline_id` are their old aliases.
        values["id"] = data.get("job_id", data.get("id"))
        values["baseline_id"] = data.get("baseline_job_id", data.get("baseline_id"))
        values["progress"] = dict(data.get("progress") or {})
        values["ast_config"] = dict(data.get("ast_config") or {})
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Event:
    """One server-sent event: kind is "status", "metric" or "end"; data is its JSON body."""

    kind: str
    data: dict[str, Any]


_PROGRESS_KEYS = (
    "epoch",
    "epochs",
    "val_accuracy",
    "train_loss",
    "activation_rate",
    "threshold",
    "compute_savings",
    "energy_savings",
)


def progress_from_point(point: dict[str, Any]) -> dict[str, Any]:
    """A job's `progress` fields from one metric point (points carry ETA in seconds)."""
    progress = {key: point[key] for key in _PROGRESS_KEYS if key in point}
    eta_seconds = point.get("eta_seconds")
    if isinstance(eta_seconds, int | float):
        progress["eta_minutes"] = eta_seconds / 60
    return progress
