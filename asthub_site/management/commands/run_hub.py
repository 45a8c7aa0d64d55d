"""Run the whole hub in the foreground: web (uvicorn), two Celery workers and Celery beat.

Each child runs in its own process group, so Ctrl-C reaches only this supervisor, which
then stops every child (SIGTERM to its group, SIGKILL after a grace period). If any child
dies, the others are stopped too: a half-running hub is worse than a stopped one.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from asthub_site.ambient_credentials import refuse_ambient_platform_credentials

GRACE_SECONDS = 15


class Command(BaseCommand):
    help = "Run the web server, Celery workers (control and training) and beat until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--worker-concurrency", type=int, default=int(os.environ.get("WORKERS", "2"))
        )

    def _commands(self, host: str, port: int, concurrency: int) -> dict[str, list[str]]:
        python = sys.executable
        beat_schedule = str(settings.VAR_DIR / "celerybeat-schedule")
        return {
            "web": [
                python, "-m", "uvicorn", "asthub_site.asgi:application",
                "--host", host, "--port", str(port), "--lifespan", "on",
                "--proxy-headers", "--timeout-graceful-shutdown", "10",
            ],
            "worker": [
                python, "-m", "celery", "-A", "asthub_site", "worker", "-n", "control@%h",
                "--loglevel", "INFO", "--concurrency", "2", "--queues", "celery",
            ],
            "trainer": [
                python, "-m", "celery", "-A", "asthub_site", "worker", "-n", "trainer@%h",
                "--loglevel", "INFO", "--concurrency", str(concurrency),
                "--queues", "training_priority,training",
            ],
            "beat": [
                python, "-m", "celery", "-A", "asthub_site", "beat",
                "--loglevel", "INFO", "--schedule", beat_schedule,
            ],
        }  # fmt: skip

    def handle(self, *args, host, port, worker_concurrency, **options):
        try:
            refuse_ambient_platform_credentials()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        children: dict[str, subprocess.Popen] = {}
        stopping = False

        def request_stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        for name, command in self._commands(host, port, worker_concurrency).items():
            children[name] = subprocess.Popen(command, start_new_session=True)
            self.stdout.write(f"started {name} (pid {children[name].pid})")

        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with code {child.returncode}; stopping")
                    exit_code = 1
                    stopping = True
                    break
            time.sleep(0.5)
        self._stop_all(children)
        self.stdout.write("AST Training Hub stopped.")
        if exit_code:
            sys.exit(exit_code)

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        # SIGTERM to the main process only: uvicorn and Celery then shut down their own
        # workers warmly. Whatever is left of a group after the grace period is killed.
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        for child in children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            _signal_group(child, signal.SIGKILL)
            child.wait()


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)
