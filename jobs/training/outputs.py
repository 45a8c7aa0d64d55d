"""What a run leaves behind: metric lines (stdout and metrics.jsonl) and the final files.

The hub tails ``metrics.jsonl`` while the run is going and remote platforms only have the
log stream, so every line is flushed as soon as it is written.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import torch

from .contract import (  # noqa: F401  (re-exported: the engine's public names)
    AST_CONFIG_FILE,
    CONFIG_FILE,
    METRIC_KEYS,
    METRIC_PREFIX,
    METRICS_FILE,
    SUMMARY_FILE,
    WEIGHTS_FILE,
)
from .submission import SubmissionFormat, render_submission

# Beside the weights: how a table's cells became features (tabular.py), so rows can be
# prepared the same way when the model is used later.
PREPROCESSING_FILE = "preprocessing.json"
# A competition's predictions on its test rows, in its sample submission's format.
SUBMISSION_FILE = "submission.csv"


def _clean(value: Any) -> Any:
    """JSON has no NaN/inf: a diverged loss is reported as null rather than breaking parsers."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


class MetricsWriter:
    def __init__(self, out_dir: Path, stream: TextIO | None = None) -> None:
        self.path = Path(out_dir) / METRICS_FILE
        self.stream = stream or sys.stdout

    def emit(self, record: dict[str, Any]) -> None:
        # When the line was written (Unix time, this machine's clock): lets the hub measure
        # how long an epoch takes to reach a watcher, and orders lines from remote logs.
        line = json.dumps(_clean({**record, "time": round(time.time(), 3)}), sort_keys=False)
        print(METRIC_PREFIX + line, file=self.stream, flush=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()

    def note(self, message: str) -> None:
        """A plain log line, without the metric prefix (metric readers pass over it)."""
        print(message, file=self.stream, flush=True)

    def truncate_after(self, epoch: int) -> None:
        """On resume, drop lines of epochs that the checkpoint does not cover."""
        if not self.path.exists():
            return
        kept = []
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                if json.loads(line).get("epoch", 0) <= epoch:
                    kept.append(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a kill
        write_text_atomic(self.path, "".join(k + "\n" for k in kept))


def write_text_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=Path(path).parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_json(path: Path, data: Any) -> None:
    write_text_atomic(path, json.dumps(_clean(data), indent=2, sort_keys=True) + "\n")


def save_weights(model: torch.nn.Module, out_dir: Path) -> str:
    """Save weights as safetensors (falls back to model.pt without the package)."""
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    try:
        from safetensors.torch import save_file
    except ImportError:
        torch.save(state, Path(out_dir) / "model.pt")
        return "model.pt"
    # safetensors refuses tensors that share storage; clone breaks the sharing.
    save_file({k: v.clone() for k, v in state.items()}, str(Path(out_dir) / WEIGHTS_FILE))
    return WEIGHTS_FILE


def write_submission(out_dir: Path, submission: SubmissionFormat, probabilities: np.ndarray) -> int:
    """Write submission.csv from the test rows' class probabilities; returns its rows."""
    write_text_atomic(Path(out_dir) / SUBMISSION_FILE, render_submission(submission, probabilities))
    return len(submission.ids)
