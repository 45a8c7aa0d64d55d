"""Start the real hub (`manage.py run_hub`: uvicorn, Celery worker and beat) in embedded
mode on a free port, with its own var folder, as `make run` does on a fresh machine."""

import atexit
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def embedded_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a hub on embedded defaults; DATABASE_URL and REDIS_URL given in
    `extra` put it on PostgreSQL and Redis instead."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(ASTHUB_VAR_DIR=str(var_dir), PYTHONUNBUFFERED="1", **extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout


def wait_for_health(base_url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"hub exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise TimeoutError("hub did not become healthy")


_migrated_sqlite: Path | None = None


def _template_database() -> Path:
    """An SQLite database migrated once per test session (a migrate run costs ~8 s)."""
    global _migrated_sqlite
    if _migrated_sqlite is None:
        folder = Path(tempfile.mkdtemp(prefix="asthub-migrated-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        manage(embedded_env(folder), "migrate", "--noinput")
        _migrated_sqlite = folder / "db.sqlite3"
    return _migrated_sqlite


def migrate(env: dict[str, str], var_dir: Path) -> None:
    """Bring the hub's database up to date, as `make run` does. An embedded hub's new
    database is a copy of the session's migrated one (SQLite's backup API, so the copy
    is consistent whatever the WAL holds); an existing one, or PostgreSQL, is migrated."""
    database = var_dir / "db.sqlite3"
    if "DATABASE_URL" in env or database.exists():
        manage(env, "migrate", "--noinput")
        return
    var_dir.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(_template_database()) as source, sqlite3.connect(database) as copy:
        source.backup(copy)
    database.chmod(0o600)


@contextmanager
def running_hub(var_dir: Path, **extra_env: str):
    port = free_port()
    env = embedded_env(var_dir, PORT=str(port), **extra_env)
    migrate(env, var_dir)
    banner = manage(env, "bootstrap_demo", "--base-url", f"http://127.0.0.1:{port}")
    log_path = var_dir / "hub.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "run_hub"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            wait_for_health(base_url, process)
            yield {"base_url": base_url, "banner": banner, "process": process, "log": log_path}
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
