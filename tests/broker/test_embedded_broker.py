"""The embedded broker (asthub_site/embedded_broker.py) between real processes.

These use the SQLite transport explicitly, whatever broker the environment configures.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.broker.peers import STOP, body_for, connection

ROOT = Path(__file__).resolve().parent.parent.parent
LEASE = 2.0


def peer(database: Path, role: str, queue: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.broker.peers", role, str(database), str(LEASE), queue]
        + list(args),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def received(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def read_until(process: subprocess.Popen, marker: str, timeout: float = 30) -> list[str]:
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"peer exited early: {process.stderr.read()}")
        if line.strip() == marker:
            return lines
        lines.append(line)
    raise AssertionError(f"no {marker!r} within {timeout} s")


def waiting(conn, queue: str) -> int:
    """Messages waiting in `queue` (Redis drops an empty queue: none is waiting then)."""
    try:
        return conn.SimpleQueue(queue).qsize()
    except conn.channel_errors:
        return 0


@pytest.fixture
def database(tmp_path) -> Path:
    return tmp_path / "broker.sqlite3"


@pytest.fixture(params=["embedded", "redis"])
def any_broker(request, tmp_path) -> str:
    """The embedded broker's file, or a Redis database of its own (production's broker)."""
    if request.param == "embedded":
        return str(tmp_path / "broker.sqlite3")
    url = os.environ.get("REDIS_URL", "")
    if not url.startswith("redis"):
        if os.environ.get("ASTHUB_REQUIRE_SERVICES"):
            pytest.fail("ASTHUB_REQUIRE_SERVICES is set but REDIS_URL is not")
        pytest.skip("needs REDIS_URL=redis://...")
    import redis

    url = re.sub(r"/\d+$", "", url) + "/12"
    redis.Redis.from_url(url).flushdb()
    return url


def test_two_producers_and_two_consumers_pass_2000_messages_each_exactly_once_intact(
    any_broker,
):
    database = any_broker
    started = time.monotonic()
    consumers = [peer(database, "consume", "load") for _ in range(2)]
    producers = [peer(database, "produce", "load", name, "1000") for name in ("p1", "p2")]
    for producer in producers:
        assert producer.wait(timeout=60) == 0, producer.stderr.read()
    with connection(str(database), LEASE) as conn:
        stops = conn.SimpleQueue("load")
        for _ in consumers:
            stops.put(STOP)
        stops.close()
    outputs = [consumer.communicate(timeout=60) for consumer in consumers]
    for consumer, (_, err) in zip(consumers, outputs, strict=True):
        assert consumer.returncode == 0, err
    messages = [message for out, _ in outputs for message in received(out)]
    elapsed = time.monotonic() - started

    assert all(message == body_for(message["producer"], message["seq"]) for message in messages)
    keys = sorted((message["producer"], message["seq"]) for message in messages)
    assert keys == sorted((name, seq) for name in ("p1", "p2") for seq in range(1000))
    assert all(received(out) for out, _ in outputs), "both consumers took a share"
    with connection(str(database), LEASE) as conn:
        assert waiting(conn, "load") == 0
    print(f"\n2000 messages, 2 producers -> 2 consumers: {elapsed:.1f} s")


def test_messages_held_by_a_consumer_killed_with_sigkill_go_to_another_consumer(database):
    with connection(str(database), LEASE) as conn:
        queue = conn.SimpleQueue("work")
        for seq in range(5):
            queue.put(body_for("p", seq))
        queue.close()
    holder = peer(database, "hold", "work", "5")
    held = received("".join(read_until(holder, "holding")))
    assert [message["seq"] for message in held] == [0, 1, 2, 3, 4]

    # Alive, the holder renews its leases: another consumer gets nothing past the lease.
    bystander = peer(database, "take-for", "work", str(LEASE * 2.5), "5")
    read_until(bystander, "ready")
    out, err = bystander.communicate(timeout=30)
    assert bystander.returncode == 0, err
    assert received(out) == []

    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    killed_at = time.monotonic()
    heir = peer(database, "take-for", "work", str(LEASE * 5), "5")
    out, err = heir.communicate(timeout=30)
    assert heir.returncode == 0, err
    assert sorted(message["seq"] for message in received(out)) == [0, 1, 2, 3, 4]
    print(f"\nheld messages redelivered within {time.monotonic() - killed_at:.1f} s of kill -9")
    with connection(str(database), LEASE) as conn:
        assert conn.SimpleQueue("work").qsize() == 0


def test_a_rejected_message_returns_to_the_front_and_an_acked_one_is_gone(database):
    with connection(str(database), LEASE) as conn:
        queue = conn.SimpleQueue("front")
        for seq in range(3):
            queue.put(body_for("p", seq))
        first = queue.get(timeout=5)
        first.reject(requeue=True)
        again = queue.get(timeout=5)
        assert again.payload["seq"] == 0
        again.ack()
        dropped = queue.get(timeout=5)
        dropped.reject(requeue=False)
        assert queue.qsize() == 1
        last = queue.get(timeout=5)
        assert last.payload["seq"] == 2
        last.ack()
        queue.close()


def test_higher_priority_messages_are_taken_first_then_first_in_first_out(database):
    with connection(str(database), LEASE) as conn:
        queue = conn.SimpleQueue("ranked")
        for seq, priority in enumerate([0, 5, 0, 5]):
            queue.put(body_for("p", seq), priority=priority)
        order = []
        for _ in range(4):
            message = queue.get(timeout=5)
            order.append(message.payload["seq"])
            message.ack()
        assert order == [1, 3, 0, 2]
        queue.close()


def test_purge_removes_waiting_messages_and_size_counts_them(database):
    with connection(str(database), LEASE) as conn:
        queue = conn.SimpleQueue("purged")
        for seq in range(4):
            queue.put(body_for("p", seq))
        held = queue.get(timeout=5)
        assert queue.qsize() == 3
        assert queue.clear() == 3
        assert queue.qsize() == 0
        held.ack()
        queue.close()
