"""A real Celery worker of the hub on the embedded broker, as `make run` starts it."""

import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kombu import Connection

from asthub_site.celery import app
from tests.live_hub import ROOT, embedded_env, migrate

pytestmark = pytest.mark.slow


def wait_for_line(log: Path, text: str, process: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        content = log.read_text() if log.exists() else ""
        if text in content:
            return content
        if process.poll() is not None:
            raise AssertionError(f"worker exited with {process.returncode}:\n{content}")
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not in the worker log within {timeout} s:\n{content}")


def test_a_task_published_before_the_worker_starts_runs_once_and_remote_control_answers(
    tmp_path,
):
    env = embedded_env(tmp_path)
    migrate(env, tmp_path)
    database = tmp_path / "broker" / "broker.sqlite3"
    broker = Connection(
        "sqlite-broker://",
        transport_options={"database_path": str(database)},
    )
    with broker:
        result = app.send_task("jobs.tasks.reconcile_jobs", connection=broker)
    # Published with no worker yet: the task waits in the broker's file, not in memory.
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM messages WHERE queue = 'celery'").fetchone() == (1,)

    log = tmp_path / "worker.log"
    started = time.monotonic()
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "asthub_site", "worker", "--loglevel", "INFO",
             "--concurrency", "1", "--queues", "celery", "--hostname", "probe@%h"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for_line(log, f"reconcile_jobs[{result.id}] succeeded", worker, timeout=90)
        ran_after = time.monotonic() - started
        ping = subprocess.run(
            [sys.executable, "-m", "celery", "-A", "asthub_site", "inspect", "ping",
             "--timeout", "5", "--destination", f"probe@{socket.gethostname()}"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert "pong" in ping.stdout, ping.stdout + ping.stderr
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    content = log.read_text()
    assert content.count(f"reconcile_jobs[{result.id}] received") == 1
    with sqlite3.connect(database) as db:
        # The ack deleted it: nothing waits or is leased in the task queue.
        assert db.execute("SELECT COUNT(*) FROM messages WHERE queue = 'celery'").fetchone() == (0,)
    assert "Traceback" not in content
    assert not (ROOT / "control").exists()
    print(f"\nworker start to task done: {ran_after:.1f} s")
