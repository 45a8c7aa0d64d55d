"""Engine processes as the operating system sees them: found, checked and stopped by
process group, whether or not the worker that started them is still alive.

Every engine is started as the leader of its own session and process group, with two
markers in its environment: the job it trains and the hub (its var folder) that owns it.
A recorded group id is only signalled after its leader proves to be that job's engine,
so a pid the kernel reused for something else is never touched.
"""

import contextlib
import os
import signal
import socket
import time

import psutil
from django.conf import settings

JOB_MARKER = "ASTHUB_ENGINE_JOB"
HUB_MARKER = "ASTHUB_ENGINE_HUB"


def this_host() -> str:
    return socket.gethostname()


def hub_marker() -> str:
    return str(settings.VAR_DIR)


def engine_markers(job_id: int) -> dict[str, str]:
    return {JOB_MARKER: str(job_id), HUB_MARKER: hub_marker()}


def _environ(process: psutil.Process) -> dict[str, str]:
    try:
        return process.environ()
    except (psutil.Error, OSError):
        return {}


def _is_live(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def group_members(pgid: int) -> list[psutil.Process]:
    """The live (not zombie) processes of a process group."""
    members = []
    for process in psutil.process_iter():
        with contextlib.suppress(psutil.Error, OSError):
            if os.getpgid(process.pid) == pgid and _is_live(process):
                members.append(process)
    return members


def is_engine_group(pgid: int, job_id: int) -> bool:
    """Whether `pgid` is still the live process group of job `job_id`'s engine."""
    members = group_members(pgid)
    if not members:
        return False
    leader = next((p for p in members if p.pid == pgid), None)
    if leader is None:
        # The leader is gone but the group lives on: its id cannot have been reused while
        # members remain, so it is still the engine's group.
        return True
    marks = _environ(leader)
    return marks.get(JOB_MARKER) == str(job_id) and marks.get(HUB_MARKER) == hub_marker()


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def _wait_gone(pgids: list[int], seconds: float) -> list[int]:
    deadline = time.monotonic() + seconds
    left = list(pgids)
    while left and time.monotonic() < deadline:
        left = [pgid for pgid in left if group_members(pgid)]
        if left:
            time.sleep(0.1)
    return left


def stop_groups(pgids: list[int], grace_seconds: float) -> None:
    """SIGTERM each group (the engine finishes its batch and writes its outputs), then
    SIGKILL whatever is still alive after the grace period. All groups at once."""
    for pgid in pgids:
        _signal_group(pgid, signal.SIGTERM)
    for pgid in _wait_gone(pgids, grace_seconds):
        _signal_group(pgid, signal.SIGKILL)
    _wait_gone(pgids, 5.0)


def ask_engine_to_stop(pgid: int, job_id: int) -> bool:
    """SIGTERM the job's engine group without waiting (whoever reaps it sees it end)."""
    if not is_engine_group(pgid, job_id):
        return False
    _signal_group(pgid, signal.SIGTERM)
    return True


def stop_engine(pgid: int, job_id: int, grace_seconds: float) -> bool:
    """Stop job `job_id`'s engine group if it is still running; returns whether it was."""
    if not is_engine_group(pgid, job_id):
        return False
    stop_groups([pgid], grace_seconds)
    return True


def engines_of_this_hub(older_than_seconds: float = 0.0) -> dict[int, int]:
    """Every live engine this hub started on this machine, recorded or not: pgid → job id.
    (An engine whose worker died before it could record the group is found here too.)"""
    found: dict[int, int] = {}
    marker = hub_marker()
    born_before = time.time() - older_than_seconds
    for process in psutil.process_iter():
        marks = _environ(process)
        if marks.get(HUB_MARKER) != marker or not _is_live(process):
            continue
        with contextlib.suppress(psutil.Error, OSError, ValueError):
            if process.create_time() <= born_before:
                found[os.getpgid(process.pid)] = int(marks.get(JOB_MARKER, ""))
    return found


def pid_alive(pid: int) -> bool:
    try:
        return _is_live(psutil.Process(pid))
    except psutil.Error:
        return False
