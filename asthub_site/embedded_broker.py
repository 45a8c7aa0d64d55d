"""The embedded Celery broker: a kombu virtual transport on its own SQLite file.

Used when the hub runs without Redis (no REDIS_URL). Web, worker and beat processes share
one database file (`var/broker/broker.sqlite3`, not the app's database, so broker polling
never contends with the app's write lock).

Why it cannot lose or garble a message:
- publishing is one INSERT, atomic in WAL mode; a reader sees a message whole or not at all;
- a consumer claims the oldest visible message under `BEGIN IMMEDIATE` and leases it
  (`reserved_until`, `reserved_by`) instead of deleting it; the ack deletes it;
- a live consumer renews its leases from a background thread, so a task that runs for
  hours is not redelivered; a consumer killed with -9 stops renewing, its leases run out
  (`lease_seconds`, 30 s by default) and the messages go to the next consumer.

Importing this module registers the `sqlite-broker://` scheme (asthub_site.celery does, so
settings say `broker_url = "sqlite-broker://"`); the class path
`asthub_site.embedded_broker:Transport` works as kombu's `transport` argument too.
Transport options: `database_path`, `lease_seconds`, `polling_interval`,
`fanout_ttl_seconds`.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from queue import Empty

from kombu.transport import TRANSPORT_ALIASES, virtual

from asthub_site.private_files import private_sqlite_file

DEFAULT_DATABASE_PATH = Path(__file__).resolve().parent.parent / "var" / "broker" / "broker.sqlite3"
DEFAULT_LEASE_SECONDS = 30.0
# Broadcasts (remote control) reach the queues bound at publish time; copies for a queue
# whose consumer is gone would wait forever, so they expire, as Redis pub/sub drops them.
DEFAULT_FANOUT_TTL_SECONDS = 60.0
BUSY_TIMEOUT_SECONDS = 30.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    queue TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    delivery_tag TEXT NOT NULL,
    payload TEXT NOT NULL,
    reserved_until REAL NOT NULL DEFAULT 0,
    reserved_by TEXT,
    expires_at REAL
);
CREATE INDEX IF NOT EXISTS messages_ready ON messages (queue, priority DESC, id);
CREATE INDEX IF NOT EXISTS messages_delivery_tag ON messages (delivery_tag);
CREATE INDEX IF NOT EXISTS messages_reserved_by ON messages (reserved_by);
CREATE TABLE IF NOT EXISTS bindings (
    exchange TEXT NOT NULL,
    routing_key TEXT NOT NULL,
    pattern TEXT NOT NULL,
    queue TEXT NOT NULL,
    PRIMARY KEY (exchange, routing_key, pattern, queue)
);
"""

# The next message a consumer may take: not leased (or its lease ran out), not expired,
# highest priority first, then first in, first out.
NEXT_VISIBLE = """
SELECT id FROM messages
WHERE queue = :queue AND reserved_until <= :now AND (expires_at IS NULL OR expires_at > :now)
ORDER BY priority DESC, id LIMIT 1
"""
# Claims of that message, as one statement each: delete it (no-ack consumers) or lease it.
TAKE_NEXT = """
DELETE FROM messages WHERE id = (
    SELECT id FROM messages
    WHERE queue = :queue AND reserved_until <= :now AND (expires_at IS NULL OR expires_at > :now)
    ORDER BY priority DESC, id LIMIT 1
) RETURNING payload
"""
LEASE_NEXT = """
UPDATE messages SET reserved_until = :until, reserved_by = :me WHERE id = (
    SELECT id FROM messages
    WHERE queue = :queue AND reserved_until <= :now AND (expires_at IS NULL OR expires_at > :now)
    ORDER BY priority DESC, id LIMIT 1
) RETURNING payload
"""


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection in WAL mode that waits for a busy writer instead of failing."""
    private_sqlite_file(path)
    db = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
    )
    db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    _use_wal(db)
    # WAL with NORMAL survives a killed process (only a power cut can drop the last commits).
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch the file to WAL once. Switching takes the file for itself, and SQLite answers
    "locked" at once, without waiting on the busy handler, while another process switches
    too (seen when four processes open a new broker file together): try again briefly."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def ensure_schema(db: sqlite3.Connection) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


class LeasedQoS(virtual.QoS):
    """Acks and rejects act on the leased row in the database, not on a copy in memory."""

    def ack(self, delivery_tag):
        self.channel._delete_messages([delivery_tag])
        super().ack(delivery_tag)

    def reject(self, delivery_tag, requeue=False):
        if requeue:
            self.channel._release_messages([delivery_tag])
        else:
            self.channel._delete_messages([delivery_tag])
        super().ack(delivery_tag)

    def restore_unacked(self):
        # The rows never left the table: ending their leases makes them visible at once,
        # at their original place in the queue.
        self._flush()
        tags = list(self._delivered)
        self.channel._release_messages(tags)
        self._delivered.clear()
        return []


class Channel(virtual.Channel):
    QoS = LeasedQoS
    supports_fanout = True
    # Celery's `queue_order_strategy` is a Redis option; this transport orders by priority.
    from_transport_options = virtual.Channel.from_transport_options + (
        "lease_seconds",
        "fanout_ttl_seconds",
    )
    lease_seconds = DEFAULT_LEASE_SECONDS
    fanout_ttl_seconds = DEFAULT_FANOUT_TTL_SECONDS

    def __init__(self, connection, **kwargs):
        super().__init__(connection, **kwargs)
        self.lease_seconds = float(self.lease_seconds)
        self.fanout_ttl_seconds = float(self.fanout_ttl_seconds)
        # Unique across processes and hosts sharing the file: the owner of this channel's leases.
        self.consumer_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._db_path = Path(
            connection.client.transport_options.get("database_path") or DEFAULT_DATABASE_PATH
        )
        self._db_lock = threading.Lock()
        self._db = connect(self._db_path)
        ensure_schema(self._db)
        self._no_ack_queues: set[str] = set()
        self._stop_renewing = threading.Event()
        self._renewer: threading.Thread | None = None

    # --- storage ----------------------------------------------------------------------
    def _write(self, sql: str, params=(), many: bool = False) -> list:
        """Run one write statement in its own IMMEDIATE transaction; return its rows."""
        with self._db_lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.executemany(sql, params) if many else db.execute(sql, params)
                rows = cursor.fetchall()
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return rows

    def _read(self, sql: str, params=()) -> list:
        with self._db_lock:
            return self._db.execute(sql, params).fetchall()

    def _row_for(self, queue: str, message: dict) -> tuple:
        properties = message["properties"]
        expires_at = None
        if properties.get("expiration") is not None:
            # AMQP per-message TTL, in milliseconds.
            expires_at = time.time() + float(properties["expiration"]) / 1000
        return (
            queue,
            self._get_message_priority(message),
            properties["delivery_tag"],
            json.dumps(message),
            expires_at,
        )

    def _put(self, queue, message, **kwargs):
        self._write(
            "INSERT INTO messages (queue, priority, delivery_tag, payload, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            self._row_for(queue, message),
        )

    def _put_fanout(self, exchange, message, routing_key, **kwargs):
        queues = {queue for _, _, queue in self.get_table(exchange)}
        now = time.time()
        rows = []
        for queue in sorted(queues):
            # Each copy gets its own delivery tag, so acking one copy never deletes another.
            copy = json.loads(json.dumps(message))
            copy["properties"]["delivery_tag"] = uuid.uuid4().hex
            queue_, priority, tag, payload, expires_at = self._row_for(queue, copy)
            ttl_end = now + self.fanout_ttl_seconds
            rows.append((queue_, priority, tag, payload, min(expires_at or ttl_end, ttl_end)))
        if rows:
            self._write(
                "INSERT INTO messages (queue, priority, delivery_tag, payload, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
                many=True,
            )
        self._write("DELETE FROM messages WHERE expires_at IS NOT NULL AND expires_at < ?", (now,))

    def _get(self, queue, timeout=None):
        now = time.time()
        params = {"queue": queue, "now": now}
        # A plain read first: WAL readers never wait, so an idle poll takes no write lock.
        if not self._read(NEXT_VISIBLE, params):
            raise Empty()
        if queue in self._no_ack_queues:
            rows = self._write(TAKE_NEXT, params)
        else:
            rows = self._write(
                LEASE_NEXT, {**params, "until": now + self.lease_seconds, "me": self.consumer_id}
            )
            if rows:
                self._start_renewing()
        if not rows:
            raise Empty()
        return json.loads(rows[0][0])

    def _delete_messages(self, delivery_tags: list[str]) -> None:
        if delivery_tags:
            self._write(
                "DELETE FROM messages WHERE delivery_tag = ?",
                [(tag,) for tag in delivery_tags],
                many=True,
            )

    def _release_messages(self, delivery_tags: list[str]) -> None:
        # Only this channel's own leases: a message whose lease ran out may be another's now.
        if delivery_tags:
            self._write(
                "UPDATE messages SET reserved_until = 0, reserved_by = NULL "
                "WHERE delivery_tag = ? AND reserved_by = ?",
                [(tag, self.consumer_id) for tag in delivery_tags],
                many=True,
            )

    def _size(self, queue):
        now = time.time()
        (count,) = self._read(
            "SELECT COUNT(*) FROM messages WHERE queue = ? AND reserved_until <= ? "
            "AND (expires_at IS NULL OR expires_at > ?)",
            (queue, now, now),
        )[0]
        return count

    def _purge(self, queue):
        # Like Redis, a purge removes the waiting messages, not those a worker holds.
        rows = self._write(
            "DELETE FROM messages WHERE queue = ? AND reserved_until <= ? RETURNING id",
            (queue, time.time()),
        )
        return len(rows)

    def _delete(self, queue, exchange=None, routing_key=None, pattern=None, *args, **kwargs):
        self._no_ack_queues.discard(queue)
        self._write(
            "DELETE FROM bindings WHERE exchange = ? AND routing_key = ? AND pattern = ? "
            "AND queue = ?",
            (exchange or "", routing_key or "", pattern or "", queue),
        )
        self._write("DELETE FROM messages WHERE queue = ?", (queue,))

    def _has_queue(self, queue, **kwargs):
        return bool(
            self._read("SELECT 1 FROM bindings WHERE queue = ? LIMIT 1", (queue,))
            or self._read("SELECT 1 FROM messages WHERE queue = ? LIMIT 1", (queue,))
        )

    # --- bindings live in the database, so every process routes alike ----------------
    def _queue_bind(self, exchange, routing_key, pattern, queue):
        self._write(
            "INSERT OR IGNORE INTO bindings (exchange, routing_key, pattern, queue) "
            "VALUES (?, ?, ?, ?)",
            (exchange, routing_key or "", pattern or "", queue),
        )

    def get_table(self, exchange):
        return [
            tuple(row)
            for row in self._read(
                "SELECT routing_key, pattern, queue FROM bindings WHERE exchange = ?", (exchange,)
            )
        ]

    # --- consumers --------------------------------------------------------------------
    def basic_consume(self, queue, no_ack, callback, consumer_tag, **kwargs):
        # A no-ack consumer never acks: its messages are deleted when taken, not leased.
        if no_ack:
            self._no_ack_queues.add(queue)
        else:
            self._no_ack_queues.discard(queue)
        return super().basic_consume(queue, no_ack, callback, consumer_tag, **kwargs)

    def basic_cancel(self, consumer_tag):
        queue = self._tag_to_queue.get(consumer_tag)
        super().basic_cancel(consumer_tag)
        if queue is not None and queue not in self._active_queues:
            self._no_ack_queues.discard(queue)

    def basic_get(self, queue, no_ack=False, **kwargs):
        was_no_ack = queue in self._no_ack_queues
        if no_ack:
            self._no_ack_queues.add(queue)
        try:
            message = self.Message(self._get(queue), channel=self)
        except Empty:
            return None
        finally:
            if no_ack and not was_no_ack:
                self._no_ack_queues.discard(queue)
        if not no_ack:
            self.qos.append(message, message.delivery_tag)
        return message

    def _start_renewing(self) -> None:
        if self._renewer is not None and self._renewer.is_alive():
            return
        self._stop_renewing.clear()
        self._renewer = threading.Thread(
            target=self._renew_leases, name="embedded-broker-leases", daemon=True
        )
        self._renewer.start()

    def _renew_leases(self) -> None:
        # Its own connection: renewing must not wait behind a slow call on the channel's.
        db = connect(self._db_path)
        try:
            while not self._stop_renewing.wait(self.lease_seconds / 3):
                try:
                    db.execute(
                        "UPDATE messages SET reserved_until = ? WHERE reserved_by = ?",
                        (time.time() + self.lease_seconds, self.consumer_id),
                    )
                except sqlite3.OperationalError:
                    continue  # a writer held the file past the busy timeout: next round
        finally:
            db.close()

    def close(self):
        if self.closed:
            return
        # Unacked messages are released by the QoS (in super().close) before the file closes.
        super().close()
        self._stop_renewing.set()
        if self._renewer is not None:
            self._renewer.join(timeout=5)
        with self._db_lock:
            self._db.close()


class Transport(virtual.Transport):
    Channel = Channel
    polling_interval = 0.1
    default_port = 0
    driver_type = "sqlite"
    driver_name = "sqlite3"
    implements = virtual.Transport.implements.extend(
        asynchronous=False,
        exchange_type=frozenset(["direct", "topic", "fanout"]),
    )

    def driver_version(self):
        return sqlite3.sqlite_version


TRANSPORT_ALIASES.setdefault("sqlite-broker", "asthub_site.embedded_broker:Transport")
