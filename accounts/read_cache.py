"""A few seconds of memory, in this process, for an answer that costs queries on every call.

Entries live settings.AUTH_CACHE_SECONDS (0 keeps nothing) and at most `max_entries` of
them (the oldest go first). An answer is only kept while accounts.invalidation says this
process hears of every change, and never if a drop happened while it was being read:
`put` takes the generation the reader saw before its query, and any drop since (of any
key: drops are rare) makes it decline, so a reader that raced a revocation cannot store
the row it read before it.
"""

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.conf import settings

from accounts import invalidation


class ReadCache:
    def __init__(self, max_entries: int = 10_000) -> None:
        self._max_entries = max_entries
        self._generation = 0
        self._start_afresh()
        invalidation.on_forget_everything(self.clear)
        # A forked child may inherit the lock held by a thread it does not have.
        os.register_at_fork(after_in_child=self._start_afresh)

    def _start_afresh(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._generation += 1

    def generation(self) -> int:
        """Read before the query whose answer will be `put`."""
        return self._generation

    def get(self, key: str) -> Any | None:
        if settings.AUTH_CACHE_SECONDS <= 0 or not invalidation.ready():
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._entries[key]
                return None
            return entry[1]

    def put(self, entries: dict[str, Any], generation: int) -> None:
        """Keep `entries` (answers read together) unless something was dropped since
        `generation` was read."""
        seconds = settings.AUTH_CACHE_SECONDS
        if seconds <= 0 or not invalidation.ready():
            return
        until = time.monotonic() + seconds
        with self._lock:
            if generation != self._generation:
                return
            for key, value in entries.items():
                self._entries[key] = (until, value)
                self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def drop(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._generation += 1

    def drop_where(self, wrong: Callable[[str, Any], bool]) -> None:
        with self._lock:
            for key in [key for key, (_, value) in self._entries.items() if wrong(key, value)]:
                del self._entries[key]
            self._generation += 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation += 1
