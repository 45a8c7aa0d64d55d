"""Reading a kernel's log incrementally and turning its `AST_METRIC` lines into points.

Kaggle's log route replays the whole log on every request: an SSE stream of
`{stream_name, time, data}` events while the session runs (ending `data: END_OF_LOG`),
the persisted JSON array of the same events once it has ended. The hub keeps a cursor
(events consumed, plus any unfinished line) in the job's platform_state, so a repeated
poll skips what it has seen and every metric line is read once.
"""

import json
import time
from dataclasses import dataclass

import requests
from django.conf import settings
from urllib3.exceptions import ProtocolError, ReadTimeoutError

from jobs.platforms.kaggle.client import api_base, calling, session_of
from jobs.platforms.log_errors import TRACEBACK_START, last_error_lines
from jobs.training.contract import metric_lines_in

END_OF_LOG = "END_OF_LOG"


def idle_seconds() -> float:
    """How long a live stream may stay silent before this poll stops reading it."""
    return float(getattr(settings, "KAGGLE_LOG_IDLE_SECONDS", 0.5))


def read_budget_seconds() -> float:
    """The most one poll spends reading a live stream; the rest waits for the next poll."""
    return float(getattr(settings, "KAGGLE_LOG_READ_SECONDS", 3.0))


@dataclass(frozen=True)
class LogCursor:
    events: int = 0  # events already consumed
    partial: str = ""  # a stdout line whose newline has not arrived yet

    @classmethod
    def of(cls, state: dict) -> "LogCursor":
        return cls(int(state.get("log_events", 0)), str(state.get("log_partial", "")))

    def as_state(self) -> dict:
        return {"log_events": self.events, "log_partial": self.partial}


def read_events(client, *, owner: str, slug: str, version: int) -> list[dict]:
    """Every event the log route gives now; a live stream is read until it goes quiet."""
    url = f"{api_base()}/v1/kernels/logs/stream/{owner}/{slug}"
    session = session_of(client)
    headers = {"Accept": "text/event-stream, */*"}
    with calling("reading the kernel's log"):
        response = session.get(
            url,
            params={"versionLabel": f"v{version}"},
            headers=headers,
            stream=True,
            timeout=(float(settings.PLATFORM_HTTP_TIMEOUT_SECONDS), idle_seconds()),
        )
        try:
            response.raise_for_status()
            if response.headers.get("Content-Type", "").lower().startswith("text/event-stream"):
                return _read_sse(response)
            payload = response.json()
        finally:
            response.close()
    events = payload if isinstance(payload, list) else []
    return [event for event in events if isinstance(event, dict)]


def _read_sse(response: requests.Response) -> list[dict]:
    """Events as they arrive, until END_OF_LOG, a silence of idle_seconds, or the budget.

    read1 hands over whatever has arrived; line iterators would wait for a full buffer
    and lose it when the silence times out.
    """
    events: list[dict] = []
    deadline = time.monotonic() + read_budget_seconds()
    buffer = b""
    while time.monotonic() < deadline:
        try:
            chunk = response.raw.read1(65536)
        except (ReadTimeoutError, ProtocolError, requests.RequestException, OSError):
            break  # silent for idle_seconds: what was sent so far is all there is for now
        if not chunk:
            break
        *lines, buffer = (buffer + chunk).split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8", errors="replace").rstrip("\r")
            if not line.startswith("data:"):
                continue
            payload = line[len("data:") :].strip()
            if payload == END_OF_LOG:
                return events
            try:
                event = json.loads(payload)
            except json.JSONDecodeError:
                event = {"stream_name": "stdout", "data": payload + "\n"}
            if isinstance(event, dict):
                events.append(event)
    return events


def new_metrics(
    events: list[dict], cursor: LogCursor, *, finished: bool = False
) -> tuple[list[dict], LogCursor]:
    """The metric points in events past the cursor, and the advanced cursor. Once the
    session has ended, a last line without its newline counts too."""
    if len(events) < cursor.events:
        # A shorter log than before (the live stream was cut early this time): nothing new.
        return [], cursor
    text = cursor.partial + "".join(
        str(event.get("data") or "")
        for event in events[cursor.events :]
        if event.get("stream_name", "stdout") == "stdout"
    )
    complete, _, partial = text.rpartition("\n")
    if finished:
        complete, partial = text, ""
    return metric_lines_in(complete), LogCursor(len(events), partial)


def error_lines_of(events: list[dict]) -> str:
    """Why the kernel failed, in its own words: the end of the last traceback, else the
    last lines of stderr (where Python and the engine write errors); "" when neither."""
    stderr = "".join(
        str(event.get("data") or "") for event in events if event.get("stream_name") == "stderr"
    )
    everything = "".join(str(event.get("data") or "") for event in events).splitlines()
    if any(line.lstrip().startswith(TRACEBACK_START) for line in everything):
        return last_error_lines(everything)
    return last_error_lines(stderr.splitlines())


def log_text_of(events: list[dict]) -> str:
    """The kernel's log as a person reads it: stdout and stderr in the order written."""
    return "".join(str(event.get("data") or "") for event in events)
