"""A run's log for people and programs, whatever platform runs it: a tail, then what came
after a cursor, until the run has ended and nothing more is to come.

The platform adapter reads the whole log (`read_log`); this module turns it into lines
(a terminal's view of carriage returns, long lines cut, secrets redacted) and pages
through them. A cursor is the number of lines already seen: opaque to clients, stable
across reads because a log only grows. A remote log is kept in the cache for a few
seconds, so a page polling every two seconds does not poll Kaggle or Hugging Face, and
when the platform is busy the last text read is served instead of an error.
"""

import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from accounts.services import use_credential
from asthub_site.errors import HubError, InvalidInput
from asthub_site.log_redaction import REDACTED, redact
from jobs import selectors
from jobs.models import TrainingJob
from jobs.platforms import adapter_for
from jobs.platforms.base import PlatformAdapter, PlatformBusy, RunLog
from jobs.runs.handles import handle_for

log_errors = logging.getLogger(__name__)

DEFAULT_TAIL = 200
MAX_TAIL = 2000
MAX_LINE_CHARS = 2000
# A remote log larger than this is kept (and served) from its end only.
MAX_KEPT_LINES = 5000
FOLLOWER_WAIT_SECONDS = 5.0
# After a 429 or a failure, how long readers are answered from the last copy (or told to
# wait) before the platform is asked again: its Retry-After, within these bounds.
BUSY_BACKOFF_SECONDS = 10.0
MAX_BACKOFF_SECONDS = 120.0

# Platform tokens a run might print (Hugging Face's hf_..., Kaggle's KGAT_...).
_PLATFORM_TOKEN = re.compile(r"\b(hf_|KGAT_)[A-Za-z0-9_]{20,}")


class LogUnavailable(HubError):
    status = 503
    code = "platform_busy"


@dataclass(frozen=True)
class LogPage:
    job_id: int
    lines: list[str]
    cursor: str
    complete: bool
    source: str

    def as_dict(self) -> dict:
        return {
            "job_id": self.job_id,
            "lines": self.lines,
            "cursor": self.cursor,
            "complete": self.complete,
            "source": self.source,
        }


@dataclass(frozen=True)
class _Snapshot:
    lines: list[str]
    first: int  # the line number of lines[0]
    final: bool  # read after the run ended: it will not grow
    source: str
    read_at: float  # time.time(): the cache may be shared by several processes

    @property
    def end(self) -> int:
        return self.first + len(self.lines)


def parse_tail(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_TAIL
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_TAIL:
        raise _bad("tail", f"tail must be an integer from 1 to {MAX_TAIL}.")
    return int(raw)


def parse_cursor(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise _bad("after", "after must be a cursor this endpoint answered (a line count).")
    return int(raw)


def _bad(name: str, message: str) -> HubError:
    return InvalidInput(message, fields={name: ["invalid"]})


def read_run_log(*, user, job_id, tail: int = DEFAULT_TAIL, after: int | None = None) -> LogPage:
    """The last `tail` lines of the user's run, or with `after` the lines past that cursor
    (at most `tail` of them, oldest first, so a follower misses none)."""
    job = selectors.job_for(user, job_id, fields=_JOB_FIELDS)
    snapshot = _snapshot_of(job)
    if after is None:
        start = max(snapshot.first, snapshot.end - tail)
        stop = snapshot.end
    else:
        start = max(snapshot.first, min(after, snapshot.end))
        stop = min(snapshot.end, start + tail)
    lines = snapshot.lines[start - snapshot.first : stop - snapshot.first]
    cursor = max(stop, after or 0)
    return LogPage(
        job_id=job.pk,
        lines=lines,
        cursor=str(cursor),
        complete=snapshot.final and cursor >= snapshot.end,
        source=snapshot.source,
    )


_JOB_FIELDS = (
    "owner",
    "platform",
    "status",
    "config",
    "is_baseline",
    "hardware",
    "external_id",
    "hf_repo",
    "platform_state",
    "engine_pgid",
    "engine_host",
)


def _snapshot_of(job: TrainingJob) -> _Snapshot:
    # Whether the run had ended is read before its log: a log read after that is whole.
    ended = job.is_terminal
    key = f"run-log:{job.pk}"
    kept: _Snapshot | None = cache.get(key)
    if kept is not None and (kept.final or (not ended and _fresh(kept))):
        return kept
    adapter = adapter_for(job.platform)
    if not adapter.log_is_remote:
        return _read_and_keep(adapter, job, ended, key, kept)
    lock = f"{key}:reading"
    if not cache.add(lock, True, timeout=60):
        # Another request is asking the platform right now: serve what it read (or, if
        # it never answers, ask without the lock, which stays the other reader's).
        waited = _wait_for_other_reader(key, kept)
        return waited or _read_and_keep(adapter, job, ended, key, kept)
    try:
        return _read_and_keep(adapter, job, ended, key, kept)
    finally:
        cache.delete(lock)


def _fresh(snapshot: _Snapshot) -> bool:
    seconds = float(getattr(settings, "REMOTE_LOG_CACHE_SECONDS", 5.0))
    return time.time() - snapshot.read_at < seconds


def _wait_for_other_reader(key: str, kept: _Snapshot | None) -> _Snapshot | None:
    if kept is not None:
        return kept
    deadline = time.monotonic() + FOLLOWER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.1)
        kept = cache.get(key)
        if kept is not None:
            return kept
    return None


def _read_and_keep(
    adapter: PlatformAdapter, job: TrainingJob, ended: bool, key: str, kept: _Snapshot | None
) -> _Snapshot:
    busy_key = f"{key}:busy"
    busy_message = cache.get(busy_key)
    if busy_message is not None:
        # The platform asked us to slow down a moment ago: do not ask again yet.
        return _kept_or_unavailable(kept, busy_message)
    try:
        credential = (
            use_credential(user=job.owner, provider=adapter.needs_credential)
            if adapter.needs_credential and job.external_id
            else None
        )
        log = adapter.read_log(handle_for(job), credential)
    except HubError:
        if kept is not None:
            return kept  # the last text read beats an error on a page that polls
        raise
    except Exception as error:  # PlatformBusy (429, 5xx, timeouts), malformed answers
        if not isinstance(error, PlatformBusy):
            log_errors.exception("reading the log of job %s failed", job.pk)
        retry_after = getattr(error, "retry_after", None) or BUSY_BACKOFF_SECONDS
        message = str(error) if isinstance(error, PlatformBusy) else "The platform failed."
        cache.set(busy_key, message, timeout=min(retry_after, MAX_BACKOFF_SECONDS))
        return _kept_or_unavailable(kept, message)
    snapshot = _snapshot(log, final=ended, secrets=_secret_values(credential))
    if adapter.log_is_remote or snapshot.final:
        # A final log never changes; an unfinished remote one is kept a few seconds.
        cache.set(key, snapshot, timeout=3600 if snapshot.final else 600)
    return snapshot


def _kept_or_unavailable(kept: _Snapshot | None, message: str) -> _Snapshot:
    if kept is not None:
        return kept
    raise LogUnavailable(f"{message} The log is not available right now; try again shortly.")


def _secret_values(credential: dict | None) -> list[str]:
    return [
        value for value in (credential or {}).values() if isinstance(value, str) and len(value) >= 8
    ]


def _snapshot(log: RunLog, *, final: bool, secrets: list[str]) -> _Snapshot:
    raw = log.text.split("\n")
    # The last piece has no newline yet: while the run goes on, it is not a line yet.
    last = raw.pop()
    if final and last:
        raw.append(last)
    lines = [_clean(line, secrets) for line in raw]
    first = log.skipped_lines
    if len(lines) > MAX_KEPT_LINES:
        first += len(lines) - MAX_KEPT_LINES
        lines = lines[-MAX_KEPT_LINES:]
    return _Snapshot(lines, first, final, log.source, time.time())


def _clean(line: str, secrets: list[str]) -> str:
    # A progress bar rewrites its line with carriage returns: show what a terminal shows.
    line = line.rstrip("\r").rsplit("\r", 1)[-1]
    for secret in secrets:
        line = line.replace(secret, REDACTED)
    line = _PLATFORM_TOKEN.sub(lambda match: match.group(1) + REDACTED, redact(line))
    if len(line) > MAX_LINE_CHARS:
        line = line[: MAX_LINE_CHARS - 1] + "…"
    return line
