"""Keep `run_hub`'s children running: restart with backoff, publish their state, stop in order.

Each child runs in its own process group (its own session), so a signal meant for one never
reaches another, and whatever a dead child leaves in its group can be killed with it. The
state of every child is written to a small JSON file (see `status_path`) that `/healthz`
reads to report `degraded` while a child is down.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

# The supervisor rewrites the status file at least this often; a file older than
# STATUS_STALE_SECONDS belongs to a hub that is gone (killed without cleaning up).
STATUS_HEARTBEAT_SECONDS = 5.0
STATUS_STALE_SECONDS = 20.0

_PR_SET_CHILD_SUBREAPER = 36


def status_path(var_dir: Path) -> Path:
    return Path(var_dir) / "hub" / "children.json"


@dataclass(frozen=True)
class Backoff:
    """Restart delays: `initial` doubling up to `maximum`; a child that stayed up for
    `stable_after` seconds before exiting starts again from `initial`."""

    initial: float = 1.0
    maximum: float = 30.0
    stable_after: float = 60.0

    def delay(self, consecutive_failures: int) -> float:
        """Seconds to wait before the restart that follows the n-th failure in a row (n >= 1)."""
        exponent = max(0, consecutive_failures - 1)
        # Cap the exponent so huge failure counts cannot overflow the float.
        return min(self.maximum, self.initial * 2 ** min(exponent, 32))

    def failures_after_exit(self, previous_failures: int, uptime: float) -> int:
        """The failure count once a child exits after `uptime` seconds up."""
        return 1 if uptime >= self.stable_after else previous_failures + 1


def describe_exit(returncode: int) -> str:
    """'exited with code 3', or 'exited with code -9, killed by SIGKILL' (Popen reports a
    killing signal as a negative code)."""
    if returncode < 0:
        with contextlib.suppress(ValueError):
            name = signal.Signals(-returncode).name
            return f"exited with code {returncode}, killed by {name}"
    return f"exited with code {returncode}"


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0  # monotonic
    last_exit: int | None = None
    restarts: int = 0
    failures: int = 0  # exits in a row without a stable run in between
    restart_at: float | None = None  # monotonic; set while the child is down

    @property
    def up(self) -> bool:
        return self.process is not None and self.restart_at is None


@dataclass
class Supervisor:
    commands: dict[str, list[str]]
    status_file: Path
    backoff: Backoff = field(default_factory=Backoff)
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.children = {name: Child(name, command) for name, command in self.commands.items()}
        self.stopping = False
        self._status_written_at = float("-inf")

    # -- running ---------------------------------------------------------------------

    def start_all(self) -> None:
        now = self.clock()
        for child in self.children.values():
            self._start(child, now)
        self.write_status()

    def tick(self) -> None:
        """One pass of the loop: notice exits, restart children whose delay is over,
        reap adopted orphans, refresh the status file."""
        if self.stopping:
            return
        changed = False
        now = self.clock()
        for child in self.children.values():
            if child.up and child.process.poll() is not None:
                self._on_exit(child, now)
                changed = True
            elif child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                if self._start(child, now):
                    self.log(f"restarted {child.name} (pid {child.process.pid})")
                changed = True
        self.reap_orphans()
        if changed or now - self._status_written_at >= STATUS_HEARTBEAT_SECONDS:
            self.write_status()

    def _start(self, child: Child, now: float) -> bool:
        try:
            process = subprocess.Popen(child.command, start_new_session=True)
        except OSError as error:  # one more failure for this child; the others go on
            child.failures += 1
            delay = self.backoff.delay(child.failures)
            child.restart_at = now + delay
            self.log(f"{child.name} failed to start ({error}); retrying in {delay:g} s")
            return False
        child.process = process
        child.started_at = self.clock()
        child.restart_at = None
        return True

    def _on_exit(self, child: Child, now: float) -> None:
        code = child.process.returncode
        # A dead main process can leave its pool behind (a Celery worker's forks):
        # clear the group so the restarted child does not run beside its leftovers.
        kill_group(child.process.pid, signal.SIGKILL)
        child.last_exit = code
        child.failures = self.backoff.failures_after_exit(child.failures, now - child.started_at)
        delay = self.backoff.delay(child.failures)
        child.restart_at = now + delay
        self.log(
            f"{child.name} (pid {child.process.pid}) {describe_exit(code)}; "
            f"restarting in {delay:g} s (restart {child.restarts + 1})"
        )

    # -- status file -----------------------------------------------------------------

    def status(self) -> dict:
        now_mono, now_wall = self.clock(), time.time()
        return {
            "supervisor_pid": os.getpid(),
            "updated_at": now_wall,
            "children": [
                {
                    "name": child.name,
                    "pid": child.process.pid if child.process else None,
                    "state": "up" if child.up else "down",
                    "last_exit": child.last_exit,
                    "restarts": child.restarts,
                    "restart_at": (
                        now_wall + (child.restart_at - now_mono) if child.restart_at else None
                    ),
                }
                for child in self.children.values()
            ],
        }

    def write_status(self) -> None:
        try:
            write_json_atomically(self.status_file, self.status())
        except OSError as error:  # a full disk must not stop the supervision
            self.log(f"could not write {self.status_file}: {error}")
        self._status_written_at = self.clock()

    def remove_status(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.status_file.unlink()

    # -- shutdown --------------------------------------------------------------------

    def stop(
        self,
        *,
        hard: Iterable[str],
        stop_engines: Callable[[], None],
        grace_seconds: float = 15,
        total_seconds: float = 27,
    ) -> None:
        """Stop everything: SIGKILL the groups named in `hard`, run `stop_engines`, then
        SIGTERM the other main processes and SIGKILL what is left after `grace_seconds`
        (less if `stop_engines` was slow: the whole stop aims to end within `total_seconds`).
        """
        self.stopping = True
        began = time.monotonic()
        hard = set(hard)
        # A child that is down was reaped and had its group cleared when it exited.
        running = {n: c.process for n, c in self.children.items() if c.up}
        for name in hard & running.keys():
            kill_group(running[name].pid, signal.SIGKILL)
        try:
            stop_engines()
        finally:
            # SIGTERM to the main process only: uvicorn and Celery then stop their own
            # workers warmly. Whatever is left of a group after the grace period is killed.
            for name, process in running.items():
                if name not in hard and process.poll() is None:
                    process.terminate()
            left = total_seconds - (time.monotonic() - began)
            deadline = time.monotonic() + max(2.0, min(grace_seconds, left))
            for process in running.values():
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                kill_group(process.pid, signal.SIGKILL)
                process.wait()
            self.reap_orphans()
            self.remove_status()

    # -- orphans ---------------------------------------------------------------------

    def reap_orphans(self) -> None:
        """Reap exited processes that were adopted as a subreaper (never our own children:
        their status belongs to their Popen, which reaps them in `poll`)."""
        if not hasattr(os, "waitid"):
            return
        own = {c.process.pid for c in self.children.values() if c.process is not None}
        while True:
            try:
                # WNOWAIT: look without reaping, so an own child's status stays for Popen.
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None or info.si_pid == 0 or info.si_pid in own:
                return  # an own child first in line is reaped by its poll() next tick
            with contextlib.suppress(ChildProcessError):
                os.waitpid(info.si_pid, os.WNOHANG)


def kill_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def become_subreaper() -> bool:
    """Adopt orphaned descendants (Linux only) so a killed worker's engines become ours,
    not PID 1's, and can be reaped here. Returns whether it took effect."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def write_json_atomically(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as file:
            json.dump(data, file)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def problems_from_status(path: Path, now: float | None = None) -> list[str]:
    """What `/healthz` should report about the hub's children: one line per child that is
    down. Empty when all are up, or when there is no recent status file (no supervisor)."""
    now = time.time() if now is None else now
    try:
        status = json.loads(Path(path).read_text())
        if now - float(status["updated_at"]) > STATUS_STALE_SECONDS:
            return []
        children = status["children"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    problems = []
    for child in children:
        if child.get("state") == "up":
            continue
        reason = f"{child['name']} is down"
        if child.get("last_exit") is not None:
            reason += f" ({describe_exit(child['last_exit'])})"
        if child.get("restart_at") is not None:
            reason += f", restarting in {max(0, round(child['restart_at'] - now))} s"
        problems.append(reason)
    return problems
