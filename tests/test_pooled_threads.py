"""The web handler runs each request's sync work on a long-lived pooled thread that keeps
its database connection, and never makes a request wait for a free thread."""

import asyncio
import threading

import pytest
from asgiref.testing import ApplicationCommunicator
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path

from accounts.models import User
from asthub_site.pooled_threads import PooledThreadsASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)

release_stream = threading.Event()


def where_am_i(request):
    User.objects.count()  # a query, on this thread's connection
    return HttpResponse(f"{threading.current_thread().name} {id(connection.connection)}")


async def held_stream(request):
    async def body():
        yield b"started\n"
        while not release_stream.is_set():
            await asyncio.sleep(0.02)
        yield b"done\n"

    return StreamingHttpResponse(body(), content_type="text/plain")


urlpatterns = [path("where", where_am_i), path("held", held_stream)]


@pytest.fixture
def handler(settings):
    settings.ROOT_URLCONF = __name__
    settings.MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
    ]
    settings.ALLOWED_HOSTS = ["testserver"]

    made = []

    def make(threads: int) -> PooledThreadsASGIHandler:
        settings.WEB_SYNC_THREADS = threads
        made.append(PooledThreadsASGIHandler())
        return made[-1]

    yield make
    # Each pooled thread keeps its connection, as it should in a web process; a test's
    # pool closes them, or the test database could not be dropped at the session's end.
    for app in made:
        while (executor := app.threads.borrow()) is not None:
            executor.submit(connections.close_all).result()
            executor.shutdown()


def _scope(route: str) -> dict:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": f"/{route}", "raw_path": f"/{route}".encode(),
        "query_string": b"", "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }  # fmt: skip


async def _get(app, route: str) -> tuple[int, bytes]:
    talk = ApplicationCommunicator(app, _scope(route))
    await talk.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await talk.receive_output(timeout=10)
    body = b""
    while True:
        message = await talk.receive_output(timeout=10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            return start["status"], body


def test_requests_reuse_a_long_lived_thread_and_its_database_connection(handler):
    app = handler(threads=4)
    opened = []
    connection_created.connect(lambda **kwargs: opened.append(1), weak=False)

    async def three_requests():
        return [await _get(app, "where") for _ in range(3)]

    answers = asyncio.run(three_requests())
    assert {status for status, _ in answers} == {200}
    threads = {body.split()[0] for _, body in answers}
    connections = {body.split()[1] for _, body in answers}
    assert threads == {b"web-sync-0_0"}  # the same pooled thread each time
    assert len(connections) == 1 and len(opened) <= 1


def test_a_request_beyond_the_pool_gets_a_fresh_thread_instead_of_waiting(handler):
    app = handler(threads=1)
    release_stream.clear()

    async def stream_and_read():
        held = ApplicationCommunicator(app, _scope("held"))
        await held.send_input({"type": "http.request", "body": b"", "more_body": False})
        assert (await held.receive_output(timeout=10))["status"] == 200
        assert (await held.receive_output(timeout=10))["body"] == b"started\n"
        # The only pooled thread is lent to the open stream; this request must not wait.
        status, body = await _get(app, "where")
        release_stream.set()
        tail = b""
        while True:
            message = await held.receive_output(timeout=10)
            tail += message.get("body", b"")
            if not message.get("more_body"):
                break
        return status, body, tail

    status, body, tail = asyncio.run(stream_and_read())
    assert status == 200 and body.startswith(b"web-sync-extra")
    assert tail == b"done\n"
