"""Producer and consumer processes for the broker tests: plain kombu, no Django.

Run as `python -m tests.broker.peers ROLE DATABASE LEASE_SECONDS ...` from the repo root.
"""

import hashlib
import json
import sys
import time

from kombu import Connection

import asthub_site.embedded_broker  # noqa: F401  (registers the sqlite-broker alias)

STOP = "stop"


def connection(database: str, lease_seconds: float) -> Connection:
    """The embedded broker on the SQLite file `database`, or the broker at `database`
    when it is a redis:// URL (the production broker, for the same tests)."""
    if database.startswith("redis://"):
        return Connection(database)
    return Connection(
        "sqlite-broker://",
        transport_options={
            "database_path": database,
            "lease_seconds": lease_seconds,
            "polling_interval": 0.05,
        },
    )


def body_for(producer: str, seq: int) -> dict:
    # Bodies of varied length with a checksum, so a torn or mixed-up message shows.
    pad = "x" * (seq % 97) * 11
    digest = hashlib.sha256(f"{producer}:{seq}:{pad}".encode()).hexdigest()
    return {"producer": producer, "seq": seq, "pad": pad, "digest": digest}


def produce(conn: Connection, queue: str, producer: str, count: int) -> None:
    simple = conn.SimpleQueue(queue)
    for seq in range(count):
        simple.put(body_for(producer, seq))
    simple.close()


def consume_until_stop(conn: Connection, queue: str) -> None:
    """Ack every message and print it as one JSON line, until a stop message."""
    simple = conn.SimpleQueue(queue)
    while True:
        message = simple.get(timeout=60)
        payload = message.payload
        message.ack()
        if payload == STOP:
            break
        print(json.dumps(payload), flush=True)
    simple.close()


def hold(conn: Connection, queue: str, count: int) -> None:
    """Take `count` messages, print them, never ack, and wait to be killed."""
    simple = conn.SimpleQueue(queue)
    for _ in range(count):
        print(json.dumps(simple.get(timeout=30).payload), flush=True)
    print("holding", flush=True)
    while True:
        time.sleep(1)


def take_for(conn: Connection, queue: str, seconds: float, count: int) -> None:
    """Print (and ack) whatever arrives within `seconds`, stopping early after `count`."""
    simple = conn.SimpleQueue(queue)
    print("ready", flush=True)
    deadline, taken = time.monotonic() + seconds, 0
    while taken < count and (left := deadline - time.monotonic()) > 0:
        try:
            message = simple.get(timeout=left)
        except simple.Empty:
            break
        print(json.dumps(message.payload), flush=True)
        message.ack()
        taken += 1
    simple.close()


def main(role: str, database: str, lease_seconds: str, queue: str, *args: str) -> None:
    with connection(database, float(lease_seconds)) as conn:
        if role == "produce":
            produce(conn, queue, args[0], int(args[1]))
        elif role == "consume":
            consume_until_stop(conn, queue)
        elif role == "hold":
            hold(conn, queue, int(args[0]))
        elif role == "take-for":
            take_for(conn, queue, float(args[0]), int(args[1]))
        else:
            raise SystemExit(f"unknown role {role}")


if __name__ == "__main__":
    main(*sys.argv[1:])
