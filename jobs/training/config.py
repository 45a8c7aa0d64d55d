"""Training configuration: one dataclass, validated, round-trips through plain dicts.

Unknown keys are rejected (a typo such as ``learning_rte`` must not silently train with the
default), and the error names every supported key so the caller can fix it at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError

SELECTION_MODES = ("importance", "threshold", "topk", "random")
# Modes that draw a whole epoch's rows up front rather than gating batch by batch.
SAMPLED_MODES = ("importance", "random")
SCORING_MODES = ("fresh", "stale")
OPTIMIZERS = ("adam", "adamw", "sgd")


@dataclass
class ASTConfig:
    """Settings of the adaptive sparse training gate.

    ``selection``: ``importance`` (the default: each epoch keeps every row with a
    probability that grows with its last loss, and weights the kept rows by 1/probability
    so the gradient stays unbiased; see ``sampling.py``), ``threshold`` (PI-controlled
    threshold on a normalised score), ``topk`` (exact fraction per batch) or ``random`` (the
    ``importance`` draw with one probability for every row: the control that any selection
    method must beat).
    ``anneal_fraction``: the last ``round(anneal_fraction x epochs)`` epochs train on every
    row again, in every mode, so the run ends on the full data's gradient.
    ``min_keep_probability``: ``importance`` only; no row is kept with a lower probability,
    which bounds its weight at 1/min_keep_probability.
    ``pack_selected``: train the selected rows in full ``batch_size`` steps (fewer, fuller
    steps: the per-step overhead is paid once per batch of trained rows) instead of one
    small step per batch of the data order.
    ``scale_learning_rate``: ``importance``/``random`` with packing; sampled epochs scale
    the learning rate for the larger batch each packed step stands for (``Trainer`` says
    how).
    ``scoring``, ``stale_refresh_every`` and ``entropy_weight`` apply to the batch-gated
    modes (``threshold``, ``topk``); ``importance`` scores rows from their own training
    forward, with no extra pass. ``scoring``: ``fresh`` runs a no-grad selection forward on
    every batch; ``stale`` reuses each sample's loss/entropy from its last forward and
    refreshes all scores with a full selection pass only every ``stale_refresh_every``
    epochs.
    """

    enabled: bool = True
    target_activation_rate: float = 0.50
    entropy_weight: float = 0.30
    warmup_epochs: int = 1
    selection: str = "importance"
    anneal_fraction: float = 0.125
    min_keep_probability: float = 0.1
    scale_learning_rate: bool = True
    kp: float = 1.5
    ki: float = 0.15
    min_activation: float = 0.05
    scoring: str = "fresh"
    stale_refresh_every: int = 3
    pack_selected: bool = True

    def validate(self) -> None:
        if not 0.0 < self.target_activation_rate <= 1.0:
            raise ConfigError("ast.target_activation_rate must be in (0, 1]")
        if not 0.0 <= self.entropy_weight <= 1.0:
            raise ConfigError("ast.entropy_weight must be in [0, 1]")
        if self.warmup_epochs < 0:
            raise ConfigError("ast.warmup_epochs must be >= 0")
        if not 0.0 <= self.anneal_fraction < 1.0:
            raise ConfigError("ast.anneal_fraction must be in [0, 1)")
        if not 0.0 < self.min_keep_probability <= 1.0:
            raise ConfigError("ast.min_keep_probability must be in (0, 1]")
        if self.selection not in SELECTION_MODES:
            raise ConfigError(f"ast.selection must be one of {', '.join(SELECTION_MODES)}")
        if self.scoring not in SCORING_MODES:
            raise ConfigError(f"ast.scoring must be one of {', '.join(SCORING_MODES)}")
        if self.kp < 0 or self.ki < 0:
            raise ConfigError("ast.kp and ast.ki must be >= 0")
        if not 0.0 <= self.min_activation <= self.target_activation_rate:
            raise ConfigError("ast.min_activation must be in [0, target_activation_rate]")
        if self.stale_refresh_every < 1:
            raise ConfigError("ast.stale_refresh_every must be >= 1")

    def anneal_epochs(self, epochs: int) -> int:
        """How many final epochs train on every row (half rounds up: 4 epochs -> 1)."""
        return math.floor(self.anneal_fraction * epochs + 0.5)

    def gates(self, epoch: int, epochs: int) -> bool:
        """Whether the gate selects rows in this (0-based) epoch."""
        return self.warmup_epochs <= epoch < epochs - self.anneal_epochs(epochs)


@dataclass
class TrainingConfig:
    """Everything one training run needs; ``to_dict`` output is what ``config.json`` holds."""

    dataset: str = "digits"
    model: str = "mlp"
    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    seed: int = 0
    optimizer: str = "adam"
    weight_decay: float = 0.0
    val_fraction: float = 0.2
    device: str = "auto"
    pretrained: bool = False
    num_classes: int | None = None
    max_samples: int | None = None
    image_size: int = 64
    amp: bool = True
    num_threads: int | None = None
    device_power_watts: float | None = None
    checkpoint: bool = True
    ast: ASTConfig = field(default_factory=ASTConfig)

    def validate(self) -> None:
        if not isinstance(self.dataset, str) or not self.dataset:
            raise ConfigError("dataset must be a non-empty string")
        if not isinstance(self.model, str) or not self.model:
            raise ConfigError("model must be a non-empty string")
        if self.epochs < 1:
            raise ConfigError("epochs must be >= 1")
        if self.batch_size < 1:
            raise ConfigError("batch_size must be >= 1")
        if self.learning_rate <= 0:
            raise ConfigError("learning_rate must be > 0")
        if self.optimizer not in OPTIMIZERS:
            raise ConfigError(f"optimizer must be one of {', '.join(OPTIMIZERS)}")
        if self.weight_decay < 0:
            raise ConfigError("weight_decay must be >= 0")
        if not 0.0 < self.val_fraction < 1.0:
            raise ConfigError("val_fraction must be in (0, 1)")
        if self.device not in ("auto", "cpu", "cuda") and not self.device.startswith("cuda:"):
            raise ConfigError("device must be auto, cpu, cuda or cuda:N")
        if self.num_classes is not None and self.num_classes < 2:
            raise ConfigError("num_classes must be >= 2")
        if self.max_samples is not None and self.max_samples < 2:
            raise ConfigError("max_samples must be >= 2")
        if self.image_size < 8:
            raise ConfigError("image_size must be >= 8")
        if self.num_threads is not None and self.num_threads < 1:
            raise ConfigError("num_threads must be >= 1")
        if self.device_power_watts is not None and self.device_power_watts <= 0:
            raise ConfigError("device_power_watts must be > 0")
        self.ast.validate()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingConfig:
        """Build and validate a config; unknown keys raise ConfigError naming the known ones."""
        if not isinstance(data, dict):
            raise ConfigError("config must be a JSON object")
        top = {f.name: f for f in dataclasses.fields(cls)}
        _reject_unknown(data, top, "")
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            if name == "ast":
                if not isinstance(value, dict):
                    raise ConfigError("ast must be an object")
                ast_fields = {f.name: f for f in dataclasses.fields(ASTConfig)}
                _reject_unknown(value, ast_fields, "ast.")
                ast_kwargs = {
                    k: _coerce(f"ast.{k}", v, ast_fields[k].default) for k, v in value.items()
                }
                kwargs["ast"] = ASTConfig(**ast_kwargs)
            else:
                default = top[name].default
                kwargs[name] = _coerce(name, value, default)
        config = cls(**kwargs)
        config.validate()
        return config

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def sha256(self) -> str:
        """Stable digest of the config, used to refuse resuming a different run."""
        blob = json.dumps(self.to_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()


def _reject_unknown(data: dict[str, Any], known: dict[str, Any], prefix: str) -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        names = ", ".join(prefix + k for k in unknown)
        supported = ", ".join(prefix + k for k in known)
        raise ConfigError(f"unknown config key(s): {names}; supported keys: {supported}")


def _coerce(name: str, value: Any, default: Any) -> Any:
    """Check a value's type against its default's; ints are accepted where floats are."""
    if value is None:
        if default is None:
            return None
        raise ConfigError(f"{name} must not be null")
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{name} must be a number")
        return float(value)
    if isinstance(default, int) or default is None and name in _INT_OPTIONALS:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{name} must be an integer")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"{name} must be a string")
        return value
    if default is None and name == "device_power_watts":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{name} must be a number")
        return float(value)
    return value


_INT_OPTIONALS = {"num_classes", "max_samples", "num_threads"}


def load_config(data: dict[str, Any] | TrainingConfig) -> TrainingConfig:
    """Accept a dict or an already-built config (validated either way)."""
    if isinstance(data, TrainingConfig):
        data.validate()
        return data
    return TrainingConfig.from_dict(data)
