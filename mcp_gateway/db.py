"""Where MCP's database work runs: a small pool of threads of its own.

Tools run outside Django's request cycle, so this does what the cycle does around each
call: connections that are broken or past CONN_MAX_AGE are dropped before and after
(with CONN_HEALTH_CHECKS they are tested first). The pool's threads live as long as the
process, so with CONN_MAX_AGE=0 (the embedded SQLite default, meant for a thread per
request) a healthy connection is kept for the thread's next call instead of reopened:
that open is a third of a monitor_training call. A pool rather than one thread, so a slow
tool (a model card renders plots) does not hold up everyone's token checks.
"""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections

P = ParamSpec("P")
T = TypeVar("T")

POOL_THREADS = 4
_pool = ThreadPoolExecutor(max_workers=POOL_THREADS, thread_name_prefix="mcp-db")


def _keep_healthy_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.settings_dict["CONN_MAX_AGE"] == 0:
            connection.close_at = None  # health and errors are still checked each call


def _in_cycle(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    close_old_connections()
    try:
        return fn(*args, **kwargs)
    finally:
        _keep_healthy_connections()
        close_old_connections()


async def run_in_db_thread(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    return await sync_to_async(_in_cycle, thread_sensitive=False, executor=_pool)(
        fn, *args, **kwargs
    )


def close_pool_connections() -> None:
    """Close the connection each pool thread keeps (a test's database must be droppable at
    its end; a process that exits closes them anyway). One task per thread: each waits at
    the barrier until all are running, so no thread takes two."""
    barrier = threading.Barrier(POOL_THREADS)

    def close_this_threads() -> None:
        connections.close_all()
        barrier.wait(timeout=30)

    for done in [_pool.submit(close_this_threads) for _ in range(POOL_THREADS)]:
        done.result()
