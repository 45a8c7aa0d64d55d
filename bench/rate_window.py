"""Sliding-window rate limit (billing.rate_window): calls/s, and what an edge burst gets.

Prints:

- calls per second of `sliding_window_wait` on Redis (the Lua script, one round trip a
  call) and in process, from 1 and 8 threads on one key, both while it accepts (a limit
  never reached) and while it refuses (a full window of 600, the Pro plan's rate);
- for a simulated client that sends a request every 2 s for three minutes plus bursts of
  120 at 0.1 s before and after each minute's edge, the most requests accepted in any
  60-second span, under the old fixed-window formula and under the sliding window (in
  process and on Redis), with a limit of 60.

    REDIS_URL=redis://127.0.0.1:6379 .venv/bin/python bench/rate_window.py [--calls 20000]

Uses Redis database 12 and deletes only the keys it wrote. Without REDIS_URL the Redis rows
are skipped.
"""

import argparse
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LIMIT = 60
WINDOW = 60
NEVER = 10**9


def _setup() -> str:
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        redis_url = urlunparse(urlparse(redis_url)._replace(path="/12"))
        os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asthub_site.settings")
    import django

    django.setup()
    return redis_url


def _rate(backend_url: str, key: str, *, threads: int, calls: int, limit: int) -> float:
    from django.conf import settings

    from billing.rate_window import sliding_window_wait

    settings.REDIS_URL = backend_url
    if limit != NEVER:  # fill the window first, so every timed call is refused
        for _ in range(limit):
            sliding_window_wait(key, limit=limit, window_seconds=WINDOW)
    per_thread = calls // threads
    barrier = threading.Barrier(threads + 1)

    def work():
        barrier.wait()
        for _ in range(per_thread):
            sliding_window_wait(key, limit=limit, window_seconds=WINDOW)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    return per_thread * threads / (time.perf_counter() - started)


def _schedule() -> list[tuple[int, int]]:
    """(tenths of a second, requests) for the simulated client: 1 every 2 s, 120 at 0.1 s
    either side of each minute's edge. Times are whole tenths so that spans are counted
    exactly."""
    edges = {edge + offset for edge in (600, 1200, 1800) for offset in (-1, 1)}
    steps = [(tenth, (tenth % 20 == 0) + (120 if tenth in edges else 0)) for tenth in range(1800)]
    return [(tenth, requests) for tenth, requests in steps if requests]


def _most_in_any_span(tenths: list[int], span: int) -> int:
    """The most of `tenths` inside any half-open span of `span` tenths."""
    tenths, most, start = sorted(tenths), 0, 0
    for end, t in enumerate(tenths):
        while t - tenths[start] >= span:
            start += 1
        most = max(most, end - start + 1)
    return most


def _fixed_window_accepted(t0: float) -> list[int]:
    """The old billing.throttling.window_wait formula: one counter per calendar window."""
    counts: dict[int, int] = {}
    accepted = []
    for t, requests in _schedule():
        window = int((t0 + t / 10) // WINDOW)
        for _ in range(requests):
            counts[window] = counts.get(window, 0) + 1
            if counts[window] <= LIMIT:
                accepted.append(t)
    return accepted


def _sliding_window_accepted(backend_url: str, key: str, t0: float) -> list[int]:
    from django.conf import settings

    from billing import rate_window

    settings.REDIS_URL = backend_url
    real_clock, accepted = rate_window._clock, []
    try:
        for t, requests in _schedule():
            rate_window._clock = lambda t=t: t0 + t / 10
            for _ in range(requests):
                if rate_window.sliding_window_wait(key, limit=LIMIT, window_seconds=WINDOW) is None:
                    accepted.append(t)
    finally:
        rate_window._clock = real_clock
    return accepted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    args = parser.parse_args()
    redis_url = _setup()
    from django.conf import settings

    from billing.rate_window import _redis_key, reset_local_windows

    run = f"bench-rate-window:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    backends = [("in process", "")] + ([("redis", redis_url)] if redis_url else [])
    used_keys = []
    try:
        print(f"sliding_window_wait, {args.calls} calls per row, window {WINDOW} s, one key")
        print(f"{'backend':<11} {'threads':>7} {'accepting/s':>12} {'refusing/s':>11}")
        for name, url in backends:
            for threads in (1, 8):
                keys = [f"{run}:{name}:{threads}:{mode}" for mode in ("accept", "refuse")]
                used_keys += keys
                accepting = _rate(url, keys[0], threads=threads, calls=args.calls, limit=NEVER)
                refusing = _rate(url, keys[1], threads=threads, calls=args.calls, limit=600)
                print(f"{name:<11} {threads:>7} {accepting:>12,.0f} {refusing:>11,.0f}")
        reset_local_windows()

        # A minute's edge at t = 60, 120 (t0 is a multiple of the window).
        t0 = float(int(time.time()) // WINDOW * WINDOW)
        sent = sum(requests for _, requests in _schedule())
        print()
        print(
            f"edge bursts: {sent} requests over 180 s (1 every 2 s, +120 at 0.1 s either "
            f"side of each minute), limit {LIMIT}"
        )
        print(f"{'limiter':<26} {'accepted':>8} {'most in any 60 s':>17}")
        fixed = _fixed_window_accepted(t0)
        rows = [("fixed window (old)", fixed)]
        for name, url in backends:
            key = f"{run}:edge:{name}"
            used_keys.append(key)
            rows.append((f"sliding window, {name}", _sliding_window_accepted(url, key, t0)))
        for label, accepted in rows:
            most = _most_in_any_span(accepted, WINDOW * 10)
            print(f"{label:<26} {len(accepted):>8} {most:>17}")
    finally:
        reset_local_windows()
        if redis_url:
            import redis

            settings.REDIS_URL = redis_url
            redis.Redis.from_url(redis_url).delete(*[_redis_key(key) for key in used_keys])


if __name__ == "__main__":
    main()
