"""The engine's output contract: what a run prints and leaves behind, and how to read it.

Standard library only, so the web process, the workers and every platform adapter can
import it without paying for torch. The engine writes through these names and every
reader (the local supervisor, the Kaggle and HF log readers, completion, sharing) parses
through these functions; there is no second copy of the format anywhere.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

# One JSON object per epoch follows this prefix on stdout (remote log streams) ...
METRIC_PREFIX = "AST_METRIC "
# ... and the same object, without the prefix, is one line of this file in the output folder.
METRICS_FILE = "metrics.jsonl"
SUMMARY_FILE = "summary.json"
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
AST_CONFIG_FILE = "ast_config.json"
# summary.json's "status" when the run trained every epoch it was asked for.
COMPLETED = "completed"

# The per-epoch keys the hub relies on (extras may follow).
METRIC_KEYS = (
    "epoch",
    "epochs",
    "step",
    "train_loss",
    "val_accuracy",
    "activation_rate",
    "threshold",
    "compute_savings",
    "energy_savings",
    "energy_kwh",
    "samples_seen",
    "samples_activated",
    "wall_seconds",
    "eta_seconds",
)


def parse_metric_object(text: str) -> dict[str, Any] | None:
    """One metric object (a metrics.jsonl line), or None for anything that is not one:
    a line cut short by a kill, or an object without a whole-number epoch."""
    try:
        point = json.loads(text)
    except (ValueError, TypeError):
        return None
    if not isinstance(point, dict):
        return None
    epoch = point.get("epoch")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
        return None
    return point


def parse_metric_line(line: str) -> dict[str, Any] | None:
    """The metric object of one stdout line, or None when the line is not a metric line."""
    text = line.strip()
    if not text.startswith(METRIC_PREFIX):
        return None
    return parse_metric_object(text[len(METRIC_PREFIX) :])


def metric_lines_in(text: str) -> list[dict[str, Any]]:
    """Every metric point in a block of stdout (whole lines only)."""
    return [point for line in text.splitlines() if (point := parse_metric_line(line))]


def read_summary(out_dir: Path) -> dict[str, Any] | None:
    """The run's summary.json, or None while the run has not (completely) written it."""
    try:
        summary = json.loads((Path(out_dir) / SUMMARY_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return summary if isinstance(summary, dict) else None


class MetricFileTail:
    """Reads the whole lines appended to a metrics.jsonl since the last read.

    A line counts only once its newline is written, so a half-written line is kept for the
    next read rather than lost or parsed broken.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.offset = 0
        self.identity: tuple[int, int] | None = None

    def read_new(self) -> list[dict[str, Any]]:
        try:
            with open(self.path, "rb") as handle:
                found = os.fstat(handle.fileno())
                identity = (found.st_dev, found.st_ino)
                if identity != self.identity or found.st_size < self.offset:
                    # A resumed engine rewrites the file without the epochs its checkpoint
                    # does not cover, then trains them again: the old offset would land
                    # inside a line of the new file and drop it. Read it all again; the
                    # hub stores each epoch once.
                    self.identity, self.offset = identity, 0
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        complete, newline, _ = chunk.rpartition(b"\n")
        if not newline:
            return []
        self.offset += len(complete) + 1
        text = complete.decode("utf-8", errors="replace")
        return [point for line in text.splitlines() if (point := parse_metric_object(line))]
