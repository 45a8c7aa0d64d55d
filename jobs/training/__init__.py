"""The AST training engine: plain PyTorch, no Django; shipped as-is to remote runs.

Public API::

    from jobs.training import TrainingConfig, train, build_script
    summary = train({"dataset": "mnist1d", "model": "cnn", "epochs": 10}, "out/")

Command line: ``python -m jobs.training --config CONFIG.json --out DIR [--baseline]``.
"""

from __future__ import annotations

ENGINE_VERSION = "1.0.0"

from .accounting import WorkCounters, compute_savings  # noqa: E402
from .bundle import build_script, script_sha256  # noqa: E402
from .config import ASTConfig, TrainingConfig  # noqa: E402
from .errors import ConfigError, DatasetError, EngineError, ModelError  # noqa: E402
from .loop import Trainer, train  # noqa: E402
from .outputs import METRIC_KEYS, METRIC_PREFIX  # noqa: E402

__all__ = [
    "ENGINE_VERSION",
    "ASTConfig",
    "ConfigError",
    "DatasetError",
    "EngineError",
    "METRIC_KEYS",
    "METRIC_PREFIX",
    "ModelError",
    "Trainer",
    "TrainingConfig",
    "WorkCounters",
    "build_script",
    "compute_savings",
    "script_sha256",
    "train",
]
