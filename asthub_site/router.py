"""An ASGI router: some path prefixes go to mounted ASGI apps, the rest to Django.

Django refuses the `lifespan` protocol, yet mounted apps (the MCP server) need theirs run,
so the router runs every mounted app's lifespan itself and answers the server once all
have started (or one has failed).
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict]]
Send = Callable[[dict], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@asynccontextmanager
async def _run_lifespan(app: ASGIApp, scope: Scope):
    """Drive one app's lifespan: start it, yield while it runs, then shut it down."""
    to_app: asyncio.Queue[dict] = asyncio.Queue()
    started: asyncio.Future = asyncio.get_running_loop().create_future()
    stopped: asyncio.Future = asyncio.get_running_loop().create_future()

    async def send(message: dict) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.complete":
            started.set_result(None)
        elif kind == "lifespan.startup.failed":
            started.set_exception(RuntimeError(message.get("message", "startup failed")))
        elif kind in {"lifespan.shutdown.complete", "lifespan.shutdown.failed"}:
            stopped.set_result(None)

    task = asyncio.create_task(app(dict(scope), to_app.get, send))
    await to_app.put({"type": "lifespan.startup"})
    await started
    try:
        yield
    finally:
        await to_app.put({"type": "lifespan.shutdown"})
        await stopped
        await task


class Router:
    def __init__(self, default: ASGIApp, mounts: Sequence[tuple[Sequence[str], ASGIApp]] = ()):
        self.default = default
        self.mounts = list(mounts)

    def _app_for(self, path: str) -> ASGIApp:
        for prefixes, app in self.mounts:
            for prefix in prefixes:
                if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                    return app
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(scope, receive, send)
            return
        await self._app_for(scope.get("path", ""))(scope, receive, send)

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        await receive()  # lifespan.startup
        async with AsyncExitStack() as stack:
            try:
                for _, app in self.mounts:
                    await stack.enter_async_context(_run_lifespan(app, scope))
            except Exception as exc:  # report any startup failure to the server
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})
