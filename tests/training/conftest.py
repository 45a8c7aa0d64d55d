"""Shared helpers for the engine tests; nothing here needs Django."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def tiny_config(**overrides: Any) -> dict[str, Any]:
    """A digits/MLP run that takes well under a second."""
    config: dict[str, Any] = {
        "dataset": "digits",
        "model": "mlp",
        "epochs": 3,
        "batch_size": 64,
        "learning_rate": 0.003,
        "seed": 7,
        "num_threads": 1,
        "ast": {"target_activation_rate": 0.4, "warmup_epochs": 1},
    }
    ast = overrides.pop("ast", {})
    config.update(overrides)
    config["ast"] = {**config["ast"], **ast}
    return config


def read_metrics(out_dir: Path) -> list[dict[str, Any]]:
    lines = (Path(out_dir) / "metrics.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def subprocess_env() -> dict[str, str]:
    """Environment for child interpreters: the repo importable, Django settings absent."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def run_bundled(source: str, folder: Path) -> subprocess.CompletedProcess:
    """Run a bundled engine script as Kaggle or HF would: a fresh interpreter, outside the
    repository (no PYTHONPATH), writing to folder/out."""
    script = folder / "run_ast.py"
    script.write_text(source)
    env = subprocess_env()
    env.pop("PYTHONPATH")
    return subprocess.run(
        [sys.executable, str(script), "--out", str(folder / "out")],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def quiet() -> io.StringIO:
    """Swallows AST_METRIC lines of in-process runs."""
    return io.StringIO()
