"""The AST training engine: plain PyTorch, no Django; shipped as-is to remote runs.

Public API::

    from jobs.training import TrainingConfig, train, build_script
    summary = train({"dataset": "mnist1d", "model": "cnn", "epochs": 10}, "out/")

Command line: ``python -m jobs.training --config CONFIG.json --out DIR [--baseline]``.
"""

from __future__ import annotations

import importlib
from typing import Any

ENGINE_VERSION = "1.1.0"

# Submodules load on first use (PEP 562): `python -m jobs.training` can then reject a bad
# command line or config before paying torch's start-up time.
_EXPORTS = {
    "WorkCounters": "accounting",
    "compute_savings": "accounting",
    "build_script": "bundle",
    "script_sha256": "bundle",
    "ASTConfig": "config",
    "TrainingConfig": "config",
    "ConfigError": "errors",
    "DatasetError": "errors",
    "EngineError": "errors",
    "ModelError": "errors",
    "Trainer": "loop",
    "train": "loop",
    "METRIC_KEYS": "contract",
    "METRIC_PREFIX": "contract",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)


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
