"""Epoch checkpoints in the output folder, so a pre-empted remote session can resume."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch

from .errors import ConfigError

CHECKPOINT_FILE = "checkpoint.pt"


def save_checkpoint(out_dir: Path, state: dict[str, Any]) -> None:
    """Write atomically: a kill during the write must leave the previous checkpoint intact."""
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".ckpt-", suffix=".pt")
    with os.fdopen(fd, "wb") as handle:
        torch.save(state, handle)
    os.replace(tmp, Path(out_dir) / CHECKPOINT_FILE)


def load_checkpoint(out_dir: Path, config_sha256: str) -> dict[str, Any] | None:
    """The last epoch checkpoint of this config in ``out_dir``, or None to start afresh."""
    path = Path(out_dir) / CHECKPOINT_FILE
    if not path.exists():
        return None
    state = torch.load(path, map_location="cpu", weights_only=True)
    if state.get("config_sha256") != config_sha256:
        raise ConfigError(
            f"{path} belongs to a run with a different config; use a fresh output folder"
        )
    return state
