"""A parser for text/event-stream bodies (the subset of the SSE spec the hub sends)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from asthub_client.models import Event

# Yielded for comment lines (": keepalive"): callers with a deadline get a chance to check it.
HEARTBEAT = Event(kind="heartbeat", data={})


def parse_sse(lines: Iterable[str]) -> Iterator[Event]:
    """Turn decoded lines into events; a blank line ends each message.

    The data lines of a message are joined with newlines and decoded as JSON; a body that
    is not a JSON object is handed over as {"text": ...} so no message is lost.
    """
    kind = "message"
    data_lines: list[str] = []
    for raw_line in lines:
        line = raw_line.rstrip("\r\n")
        if not line:
            if data_lines:
                yield Event(kind=kind, data=_decode("\n".join(data_lines)))
            kind, data_lines = "message", []
            continue
        if line.startswith(":"):
            yield HEARTBEAT
            continue
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "event":
            kind = value or "message"
        elif name == "data":
            data_lines.append(value)
        # "id" and "retry" are not used by the hub: resumption goes by after_epoch.


def _decode(text: str) -> dict:
    try:
        decoded = json.loads(text)
    except ValueError:
        return {"text": text}
    return decoded if isinstance(decoded, dict) else {"value": decoded}
