"""Dropping a cached answer everywhere it is held, as soon as a change makes it wrong.

The read caches (accounts.auth_cache: verified tokens and active users; billing.plan_cache:
each account's plan) keep answers for settings.AUTH_CACHE_SECONDS in each process's
memory. A change that makes an answer wrong (a token revoked, an account deactivated, a
plan changed) calls `invalidate(kind, key)` from a model signal, so every path that writes
(services, Stripe webhooks, the admin, a shell) is covered alike:

- this process drops the answer at once, and again when the transaction commits: a
  reader on another thread may have read the old row and stored it in between;
- the other processes hear of it once the transaction has committed (told earlier, they
  could read the old row again and keep it):
  - with settings.REDIS_URL, by a message on a Redis pub/sub channel. Each process that
    reads a cache listens on it in a daemon thread, started by its first read (and again
    in a forked child, which inherits no thread), so another web worker, on this host or
    another, drops its entry within milliseconds. A process keeps nothing until its
    subscription is confirmed, and forgets everything when it loses the connection,
    since it may have missed a message meanwhile;
  - embedded (no REDIS_URL), one web process serves every request and drops its own
    entries itself. The other processes on the machine (the Celery worker and beat,
    `manage.py shell`) append a byte to a stamp file in VAR_DIR; the web process stats
    that file on cache reads (a system call, no query; at most every 50 ms) and forgets
    everything once it has grown.

A drop that is lost (Redis unreachable at the moment of publishing, the stamp file not
writable) leaves an answer stale for at most AUTH_CACHE_SECONDS: that limit bounds every
case, and is why it is seconds, not minutes.
"""

import functools
import logging
import math
import os
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.core.signals import setting_changed
from django.db import transaction
from django.dispatch import receiver

log = logging.getLogger(__name__)

# What can be dropped, and what its key is.
API_TOKEN = "api_token"  # noqa: S105 (a name) - the token's HMAC digest
OAUTH_TOKEN = "oauth_token"  # noqa: S105 (a name) - the access token's checksum
USER = "user"  # the user's id: their tokens, their active-user entry and their plan
PLAN = "plan"  # the user's id

CHANNEL = "read-cache-invalidations"  # with Redis, under the cache's key prefix
STAMP_FILE = "read-cache-invalidations"  # embedded, in VAR_DIR
# Embedded, the stamp file is looked at no more often than this.
STAMP_CHECK_SECONDS = 0.05
# Past this size the stamp file starts again (empty, a new inode, which readers notice).
STAMP_RESTART_BYTES = 1 << 20
_UNREAD = object()

_handlers: dict[str, list[Callable[[str], None]]] = {}
_forgetters: list[Callable[[], None]] = []


def listen(kind: str, drop: Callable[[str], None]) -> None:
    """Have `drop(key)` called whenever an answer of `kind` under `key` becomes wrong."""
    _handlers.setdefault(kind, []).append(drop)


def on_forget_everything(forget: Callable[[], None]) -> None:
    """Have `forget()` called when this process may have missed a drop."""
    _forgetters.append(forget)


def invalidate(kind: str, key: object) -> None:
    """Drop the answer of `kind` under `key` here now, and everywhere once committed."""
    key = str(key)
    _drop_here(kind, key)
    transaction.on_commit(functools.partial(_after_commit, kind, key), robust=True)


def ready() -> bool:
    """Whether this process hears of every change now, so that it may keep answers.

    Called on every cache read: with Redis it starts the listener (once per process) and
    answers whether it is subscribed; embedded it catches up with the stamp file."""
    if not settings.REDIS_URL:
        _catch_up_with_stamp()
        return True
    here = _here
    if here.pid != os.getpid():  # a fork that os.register_at_fork did not report
        _start_afresh()
        forget_everything()  # the caches' own at-fork reset did not run either
        here = _here
    if here.listener is None:
        _start_listener(here)
    return here.subscribed


def forget_everything() -> None:
    for forget in _forgetters:
        forget()


def _drop_here(kind: str, key: str) -> None:
    for drop in _handlers.get(kind, ()):
        drop(key)


def _after_commit(kind: str, key: str) -> None:
    _drop_here(kind, key)
    if settings.REDIS_URL:
        _publish(f"{kind}:{key}")
    else:
        _append_to_stamp()


# --- This process's state (a forked child starts its own) --------------------------------


class _ProcessState:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.listener: threading.Thread | None = None
        self.subscribed = False
        self.stamp_seen: object = _UNREAD  # (inode, size) of the stamp file at the last read
        self.stamp_checked_at = -math.inf  # monotonic time of the last look at the file


_here = _ProcessState()


def _start_afresh() -> None:
    # A forked child has no listener thread; its caches empty themselves (read_cache).
    global _here
    _here = _ProcessState()


os.register_at_fork(after_in_child=_start_afresh)


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    # Tests override plan limits and the cache's own settings: answers from before are off,
    # and a new VAR_DIR is a new stamp file, to be looked at on the next read.
    _here.stamp_checked_at = -math.inf
    forget_everything()


# --- With Redis: a pub/sub channel ----------------------------------------------------


def _channel() -> str:
    # Beside the cache's keys, so that two hubs sharing a Redis do not drop each other's.
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    return f"{prefix}:{CHANNEL}" if prefix else CHANNEL


@functools.lru_cache(maxsize=4)
def _publisher(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


def _publish(message: str) -> None:
    import redis

    try:
        _publisher(settings.REDIS_URL).publish(_channel(), message)
    except (redis.RedisError, OSError) as exc:
        log.warning(
            "Could not announce %s to other processes (%s); they keep it for at most %s s.",
            message.split(":", 1)[0],
            exc,
            settings.AUTH_CACHE_SECONDS,
        )


def _start_listener(here: _ProcessState) -> None:
    with here.lock:
        if here.listener is not None:
            return
        here.listener = threading.Thread(
            target=_listen,
            args=(settings.REDIS_URL, _channel(), here),
            name="read-cache-invalidations",
            daemon=True,
        )
        here.listener.start()


def _listen(url: str, channel: str, here: _ProcessState) -> None:
    import redis

    pause = 0.1
    while here is _here:
        pubsub = None
        try:
            client = redis.Redis.from_url(
                url, socket_connect_timeout=2, socket_keepalive=True, health_check_interval=30
            )
            pubsub = client.pubsub()
            pubsub.subscribe(channel)
            while here is _here:
                message = pubsub.get_message(timeout=5.0)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    # Also after a reconnection: whatever was kept before may be stale.
                    forget_everything()
                    here.subscribed = True
                    pause = 0.1
                elif message["type"] == "message":
                    kind, _, key = message["data"].decode().partition(":")
                    _drop_here(kind, key)
        except (redis.RedisError, OSError) as exc:
            log.warning("Cache invalidations: lost Redis (%s); retrying in %.1f s.", exc, pause)
        finally:
            here.subscribed = False
            forget_everything()
            if pubsub is not None:
                pubsub.close()
        time.sleep(pause)
        pause = min(pause * 2, 5.0)


# --- Embedded: a stamp file that grows by a byte per change ---------------------------


def _stamp_path() -> str:
    return os.path.join(settings.VAR_DIR, STAMP_FILE)


def _catch_up_with_stamp() -> None:
    here = _here
    now = time.monotonic()
    # A stat per read was a twentieth of a cached MCP call; one per STAMP_CHECK_SECONDS
    # still notices another process's change before any person or script could act on it.
    if now - here.stamp_checked_at < STAMP_CHECK_SECONDS:
        return
    here.stamp_checked_at = now
    try:
        status = os.stat(_stamp_path())
        seen: object = (status.st_ino, status.st_size)
    except FileNotFoundError:
        seen = None
    if seen != here.stamp_seen:
        here.stamp_seen = seen
        forget_everything()


def _append_to_stamp() -> None:
    path = _stamp_path()
    try:
        with open(path, "ab") as stamp:
            stamp.write(b".")
            stamp.flush()
            status = os.fstat(stamp.fileno())
        here = _here
        with here.lock:
            # This process has dropped its own entry: when the byte is the only news, the
            # next read need not forget everything.
            if here.stamp_seen == (status.st_ino, status.st_size - 1):
                here.stamp_seen = (status.st_ino, status.st_size)
        if status.st_size >= STAMP_RESTART_BYTES:
            fresh = f"{path}.{os.getpid()}"
            open(fresh, "wb").close()
            os.replace(fresh, path)
    except OSError as exc:
        log.warning(
            "Could not mark a change in %s (%s); other processes keep their answer for at "
            "most %s s.",
            path,
            exc,
            settings.AUTH_CACHE_SECONDS,
        )
