"""One engine process for one local job, started and watched by its supervising worker."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from jobs.platforms.base import JobHandle, PollResult
from jobs.platforms.local.folders import (
    LOG_FILE,
    SCRIPT_FILE,
    STOP_REQUEST_FILE,
    job_dir,
    out_dir,
)
from jobs.platforms.local.processes import engine_markers, stop_groups
from jobs.training.contract import COMPLETED, METRICS_FILE, MetricFileTail, read_summary

STOP_GRACE_SECONDS = 20
# Secrets of the hub (database, keys) are no business of the training process.
HUB_SECRETS = ("SECRET_KEY", "CREDENTIAL_ENCRYPTION_KEYS", "TOKEN_DIGEST_KEY", "DATABASE_URL")


class LocalRun:
    """The engine of one job, in its own session and process group."""

    def __init__(self, job: JobHandle, script: str) -> None:
        self.job = job
        self.script = script
        self.dir = job_dir(job.id)
        self.out = out_dir(job.id)
        self.tail = MetricFileTail(self.out / METRICS_FILE)
        self.process: subprocess.Popen | None = None
        self.stopped_by_hub = False

    @property
    def pgid(self) -> int | None:
        # The engine leads its own session, so its pid is its process group id.
        return self.process.pid if self.process else None

    def start(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        (self.dir / STOP_REQUEST_FILE).unlink(missing_ok=True)
        (self.dir / SCRIPT_FILE).write_text(self.script)
        command = [settings.TRAINING_PYTHON or sys.executable, SCRIPT_FILE, "--out", "out"]
        if self.job.is_baseline:
            command.append("--baseline")
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "OMP_NUM_THREADS": str(settings.TRAINING_THREADS),
            "MKL_NUM_THREADS": str(settings.TRAINING_THREADS),
            **engine_markers(self.job.id),
        }
        for name in HUB_SECRETS:
            env.pop(name, None)
        with open(self.dir / LOG_FILE, "ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.dir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.stopped_by_hub = False

    def exit_code(self) -> int | None:
        return self.process.poll() if self.process else None

    def stop(self, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM the process group (the engine writes its outputs), SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.stopped_by_hub = True
        stop_groups([self.process.pid], grace_seconds)
        self.process.wait()

    def stop_was_requested(self) -> bool:
        """Whether a cancel asked this engine to stop (see LocalAdapter.cancel)."""
        return (self.dir / STOP_REQUEST_FILE).exists()

    def killed_by_signal(self) -> bool:
        """Whether the engine died of a signal the hub did not send (an OOM kill, a kill -9)."""
        code = self.exit_code()
        return code is not None and code < 0 and not self.stopped_by_hub

    def outcome(self) -> PollResult:
        """Call after the process exited: success needs exit 0 and a completed summary."""
        metrics = self.tail.read_new()
        summary = read_summary(self.out)
        if self.exit_code() == 0 and summary and summary.get("status") == COMPLETED:
            return PollResult(state="succeeded", metrics=metrics)
        return PollResult(state="failed", metrics=metrics, failure_reason=self.failure_reason())

    def failure_reason(self) -> str:
        lines = _last_lines(self.dir / LOG_FILE, 5)
        error_lines = [line for line in lines if line.startswith("error:")]
        detail = error_lines[-1] if error_lines else (lines[-1] if lines else "")
        return f"The engine exited with code {self.exit_code()}. {detail}".strip()


def _last_lines(path: Path, count: int) -> list[str]:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return []
    return [line.strip() for line in text.strip().splitlines()[-count:] if line.strip()]
