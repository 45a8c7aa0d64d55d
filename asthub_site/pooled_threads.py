"""Django's ASGI handler, with a request's sync work done in one hop on a long-lived thread.

Two costs of Django's stock handler dominated the REST read path (bench/mcp_load.py):

- **A hop per middleware.** Django's middleware are sync code behind an async adapter:
  under ASGI each `process_request`/`process_response` is its own trip from the event
  loop to a thread and back, about fourteen per request with this hub's middleware. This
  handler builds the middleware chain and the view as one sync chain (as WSGI runs it)
  and makes one trip per request. Async views still work: Django runs them through
  `async_to_sync` on the main event loop, and event streams are still sent from it.
- **A thread and a database connection per request.** Django gives each request a new
  single-thread executor, so a new thread, so a new database connection (Django keeps one
  per thread), PostgreSQL's TCP and authentication round trips included. This handler
  lends each request one of a pool of long-lived single-thread executors instead
  (asgiref's `ThreadSensitiveContext(executor=...)`, made for this), so the thread keeps
  its connection for the next request (CONN_MAX_AGE, checked by CONN_HEALTH_CHECKS). The
  pool is a stack, so a quiet hub keeps using the same few threads and connections. When
  every pooled thread is lent out (many slow requests, long event streams), a request
  gets a fresh thread of its own, closed with its connection when it ends: no request
  ever waits for another to finish.
"""

import asyncio
import queue
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.db import connections


class ThreadPool:
    def __init__(self, size: int) -> None:
        self.idle: queue.LifoQueue[ThreadPoolExecutor] = queue.LifoQueue()
        for number in reversed(range(size)):
            self.idle.put(ThreadPoolExecutor(1, thread_name_prefix=f"web-sync-{number}"))

    def borrow(self) -> ThreadPoolExecutor | None:
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            return None

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        self.idle.put(executor)


class PooledThreadsASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        super().__init__()
        self.threads = ThreadPool(settings.WEB_SYNC_THREADS)

    def load_middleware(self, is_async: bool = False) -> None:
        # The whole chain sync, entered once per request on the request's thread.
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.threads.borrow()
        if executor is None:
            await self._on_a_fresh_thread(scope, receive, send)
            return
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self.threads.give_back(executor)

    async def _on_a_fresh_thread(self, scope, receive, send) -> None:
        executor = ThreadPoolExecutor(1, thread_name_prefix="web-sync-extra")
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            # The thread ends with the request; its connection is closed now rather than
            # whenever the collector gets to it.
            await asyncio.wrap_future(executor.submit(connections.close_all))
            executor.shutdown(wait=False)


def get_asgi_application() -> PooledThreadsASGIHandler:
    """As django.core.asgi.get_asgi_application, with this handler."""
    django.setup(set_prefix=False)
    return PooledThreadsASGIHandler()
