"""Driving a live hub from a test the way an operator and a user meet it: REST calls with a
token, /healthz polled from outside, and the hub's own processes found (and killed) with
psutil by what they are, never by mocking."""

import json
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from tests.live_hub import embedded_env, manage

TERMINAL = {"succeeded", "failed", "cancelled"}
# The reconciler every 5 s instead of 30 s, so a test does not wait for beat's first round.
FAST_RECOVERY = {"RECONCILE_INTERVAL_SECONDS": "5"}
# A short local run: several epochs, so there is time to kill something mid-run.
SHORT_RUN = {"dataset": "digits", "model": "mlp", "epochs": 12, "batch_size": 32}


def demo_on_plan(var_dir: Path, plan: str, **extra: str) -> None:
    """Put the hub's demo account on `plan` (the fault tests poll faster than Free allows)."""
    script = (
        "from accounts.models import User; from billing.services import change_plan; "
        f"change_plan(user=User.objects.get(email='demo@asthub.local'), plan={plan!r})"
    )
    manage(embedded_env(var_dir, **extra), "shell", "-c", script)


class HubClient:
    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base}{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Content-Type", "application/json")
        for _ in range(10):
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status, json.loads(response.read() or b"{}")
            except urllib.error.HTTPError as error:
                if error.code != 429:
                    return error.code, json.loads(error.read() or b"{}")
                time.sleep(float(error.headers.get("Retry-After") or 1))
        raise AssertionError(f"{method} {path} stayed throttled")

    def start_job(self, **spec) -> int:
        status, body = self.call("POST", "/api/v1/jobs/", SHORT_RUN | spec)
        assert status == 201, body
        return body["id"]

    def job(self, job_id: int) -> dict:
        return self.call("GET", f"/api/v1/jobs/{job_id}/")[1]

    def epochs(self, job_id: int) -> list[int]:
        return [
            p["epoch"] for p in self.call("GET", f"/api/v1/jobs/{job_id}/metrics/")[1]["points"]
        ]

    def wait_for(self, job_id: int, predicate, timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        job = {}
        while time.monotonic() < deadline:
            try:
                job = self.job(job_id)
            except OSError:
                job = {}  # the hub is restarting
            if job and predicate(job):
                return job
            time.sleep(0.5)
        raise AssertionError(f"job {job_id} never {what}; last seen {job}")

    def wait_for_epoch(self, job_id: int, epoch: int, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(e >= epoch for e in self.epochs(job_id)):
                return
            time.sleep(0.25)
        raise AssertionError(f"job {job_id} never reached epoch {epoch}")

    def wait_until_ended(self, job_id: int, timeout: float = 180) -> dict:
        return self.wait_for(job_id, lambda job: job["status"] in TERMINAL, timeout, "ended")


class HealthWatcher:
    """Polls /healthz from its own thread and counts the answers that were not served."""

    def __init__(self, base_url: str, interval: float = 0.25) -> None:
        self.url = f"{base_url}/healthz"
        self.interval = interval
        self.served = 0
        self.unanswered: list[str] = []
        self.statuses: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    self.statuses.add(json.loads(response.read()).get("status", ""))
                    self.served += 1
            except urllib.error.HTTPError as error:
                self.unanswered.append(f"HTTP {error.code}")
            except OSError as error:
                self.unanswered.append(type(error).__name__)
            self._stop.wait(self.interval)

    def __enter__(self) -> "HealthWatcher":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def engine_processes(var_dir: Path) -> list[psutil.Process]:
    """Live engine processes started by the hub whose var folder is `var_dir`."""
    found = []
    for process in psutil.process_iter():
        try:
            marks = process.environ()
            if marks.get("ASTHUB_ENGINE_HUB") == str(var_dir) and (
                process.status() != psutil.STATUS_ZOMBIE
            ):
                found.append(process)
        except (psutil.Error, OSError):
            continue
    return found


def engine_of(var_dir: Path, job_id: int, timeout: float = 60) -> psutil.Process:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in engine_processes(var_dir):
            try:
                if process.environ().get("ASTHUB_ENGINE_JOB") == str(job_id):
                    return process
            except psutil.Error:
                continue
        time.sleep(0.1)
    raise AssertionError(f"no engine process for job {job_id}")


def wait_no_engines(var_dir: Path, timeout: float = 30) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while (left := engine_processes(var_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def hub_child(hub_pid: int, marker: str, timeout: float = 60) -> psutil.Process:
    """The main process of one of run_hub's children, e.g. "control@" or "trainer@"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for child in psutil.Process(hub_pid).children():
            try:
                if any(marker in part for part in child.cmdline()):
                    return child
            except psutil.Error:
                continue
        time.sleep(0.2)
    raise AssertionError(f"run_hub has no child {marker!r}")
