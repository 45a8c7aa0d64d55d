"""Run the whole hub in the foreground: web (uvicorn), two Celery workers and Celery beat.

`asthub_site.supervision` keeps them running: a child that exits is restarted with backoff
(logged on stderr) and `/healthz` reports `degraded` until it is back. Ctrl-C or SIGTERM
stops everything: the training worker is killed at once (its tasks only watch engines and
hold nothing that is not in the database or the run folder), then this host's training
engines are stopped, then the other children get SIGTERM and, after a grace period, SIGKILL.
"""

import os
import signal
import sys
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from asthub_site.ambient_credentials import refuse_ambient_platform_credentials
from asthub_site.supervision import Supervisor, become_subreaper, status_path
from jobs.runs.engines import stop_engines_on_this_host

GRACE_SECONDS = 15
ENGINE_GRACE_SECONDS = 10
TICK_SECONDS = 0.2


class Command(BaseCommand):
    help = "Run the web server, Celery workers (control and training) and beat until interrupted."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--worker-concurrency", type=int, default=int(os.environ.get("WORKERS", "2"))
        )

    def _commands(self, host: str, port: int, concurrency: int) -> dict[str, list[str]]:
        # Both workers run their tasks in threads, not a prefork pool: killing an idle
        # prefork child with SIGKILL can leave the pool's shared lock held and the worker
        # stalled for good (seen in bench/soak.py). Control tasks wait on the network and
        # the database, and training tasks only watch engine processes, so threads suit
        # both; a worker that dies is one process that run_hub restarts.
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
                "--loglevel", "INFO", "--pool", "threads", "--concurrency", "4",
                "--queues", "celery",
            ],
            "trainer": [
                python, "-m", "celery", "-A", "asthub_site", "worker", "-n", "trainer@%h",
                "--loglevel", "INFO", "--pool", "threads", "--concurrency", str(concurrency),
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
        supervisor = Supervisor(
            commands=self._commands(host, port, worker_concurrency),
            status_file=status_path(settings.VAR_DIR),
            log=lambda line: self.stderr.write(line),
        )

        def request_stop(signum, frame):
            # Set before anything else so no child is restarted while the hub stops.
            supervisor.stopping = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        # Engines orphaned by a killed worker are adopted here (and reaped), not by PID 1.
        become_subreaper()
        try:
            supervisor.start_all()
            for name, child in supervisor.children.items():
                if child.up:
                    self.stdout.write(f"started {name} (pid {child.process.pid})")
            while not supervisor.stopping:
                supervisor.tick()
                time.sleep(TICK_SECONDS)
        finally:
            # Also on a bug in the loop: never leave the children running on their own.
            supervisor.stop(
                hard=["trainer"], stop_engines=self._stop_engines, grace_seconds=GRACE_SECONDS
            )
        self.stdout.write("AST Training Hub stopped.")

    def _stop_engines(self) -> None:
        # Engines run in their own session, so killing the trainer's group leaves them.
        try:
            stopped = stop_engines_on_this_host(grace_seconds=ENGINE_GRACE_SECONDS)
        except Exception as error:  # the other children must still be stopped
            self.stderr.write(f"stopping training engines failed: {error!r}")
            return
        self.stdout.write(f"stopped {stopped} training engine(s)")
