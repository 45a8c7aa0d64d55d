"""The local platform: the engine runs as a subprocess on this hub's training workers.

`launch` hands the job to the training queue; the Celery task `run_local_job` then
supervises the process through `LocalRun` (start, tail metrics, stop). The script that
runs is the engine's bundle, so the hash stored on the job is the hash of what ran.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from jobs.platforms.base import JobHandle, Launched, PollResult

METRICS_FILE = "metrics.jsonl"
SUMMARY_FILE = "summary.json"
SCRIPT_FILE = "script.py"
LOG_FILE = "engine.log"
STOP_GRACE_SECONDS = 20


def job_dir(job_id: int) -> Path:
    return Path(settings.LOCAL_JOBS_DIR) / str(job_id)


def out_dir(job_id: int) -> Path:
    return job_dir(job_id) / "out"


class MetricTail:
    """Reads whole new lines appended to metrics.jsonl since the last read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0

    def read_new(self) -> list[dict]:
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return []
        # A line is complete only once its newline is written; keep the rest for later.
        complete, _, _ = chunk.rpartition(b"\n")
        if not complete:
            return []
        self.offset += len(complete) + 1
        points = []
        for line in complete.splitlines():
            try:
                points.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return points


class LocalRun:
    """One engine process for one job, in its own process group."""

    def __init__(self, job: JobHandle, script: str) -> None:
        self.job = job
        self.script = script
        self.dir = job_dir(job.id)
        self.out = out_dir(job.id)
        self.tail = MetricTail(self.out / METRICS_FILE)
        self.process: subprocess.Popen | None = None
        self.started = 0.0

    def start(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        (self.dir / SCRIPT_FILE).write_text(self.script)
        command = [settings.TRAINING_PYTHON or sys.executable, SCRIPT_FILE, "--out", "out"]
        if self.job.is_baseline:
            command.append("--baseline")
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "OMP_NUM_THREADS": str(settings.TRAINING_THREADS),
            "MKL_NUM_THREADS": str(settings.TRAINING_THREADS),
        }
        # Secrets of the hub (database, keys) are no business of the training process.
        for name in ("SECRET_KEY", "CREDENTIAL_ENCRYPTION_KEYS", "TOKEN_DIGEST_KEY"):
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
        self.started = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def exit_code(self) -> int | None:
        return self.process.poll() if self.process else None

    def stop(self) -> None:
        """SIGTERM the process group (the engine writes its outputs), SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        _signal_group(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            _signal_group(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def outcome(self) -> PollResult:
        """Call after the process exited: success needs exit 0 and a completed summary."""
        code = self.exit_code()
        metrics = self.tail.read_new()
        if code == 0 and (self.out / SUMMARY_FILE).exists():
            return PollResult(state="succeeded", metrics=metrics)
        return PollResult(state="failed", metrics=metrics, failure_reason=self.failure_reason())

    def failure_reason(self) -> str:
        code = self.exit_code()
        lines = _last_lines(self.dir / LOG_FILE, 5)
        error_lines = [line for line in lines if line.startswith("error:")]
        detail = error_lines[-1] if error_lines else (lines[-1] if lines else "")
        return f"The engine exited with code {code}. {detail}".strip()


def read_summary(out: Path) -> dict | None:
    """The engine's summary.json, or None while the run has not written it."""
    try:
        return json.loads((out / SUMMARY_FILE).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)


def _last_lines(path: Path, count: int) -> list[str]:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return []
    return [line.strip() for line in text.strip().splitlines()[-count:] if line.strip()]


class LocalAdapter:
    name = "local"
    needs_credential = None
    is_remote = False
    can_cancel = True

    def launch(self, job: JobHandle, credential: dict | None) -> Launched:
        from jobs.tasks import run_local_job

        queue = "training_priority" if job.priority else "training"
        result = run_local_job.apply_async(args=[job.id], queue=queue)
        return Launched(external_id=f"celery:{result.id}")

    def poll(self, job: JobHandle, credential: dict | None) -> PollResult:
        """The run's state as its folder tells it (the supervising task stores metrics as
        they come; this answers anyone else who asks, e.g. after a restart)."""
        out = out_dir(job.id)
        metrics = MetricTail(out / METRICS_FILE).read_new()
        summary = read_summary(out)
        if summary is None:
            return PollResult(state="running", metrics=metrics)
        if summary.get("status") == "completed":
            return PollResult(state="succeeded", metrics=metrics)
        return PollResult(
            state="failed",
            metrics=metrics,
            failure_reason=f"The engine stopped early ({summary.get('status')}).",
        )

    def cancel(self, job: JobHandle, credential: dict | None) -> None:
        # The supervising task notices the cancelled status within a second and stops
        # the process group itself; nothing to call here.
        return None

    def fetch_artifacts(self, job: JobHandle, credential: dict | None, dest: Path) -> Path:
        return out_dir(job.id)
