"""Quota race: N simultaneous job-slot reservations against a monthly limit of 10.

Runs on a throwaway PostgreSQL database (created and dropped here) with real threads, each
holding its own connection, released together by a barrier. Prints how many reservations
succeeded in each round and the reservation latency.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/quota_race.py
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _admin_connection(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=40)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    bench_db = f"asthub_bench_{os.getpid()}"
    with _admin_connection(server_url) as admin:
        admin.execute(f'CREATE DATABASE "{bench_db}"')
    os.environ["DATABASE_URL"] = urlunparse(urlparse(server_url)._replace(path=f"/{bench_db}"))
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asthub_site.settings")
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        with _admin_connection(server_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections, transaction

    from accounts.services import sign_up
    from asthub_site.errors import QuotaExceeded
    from billing import quotas
    from billing.models import JobSlots, PlanOverride

    call_command("migrate", verbosity=0)
    print(f"PostgreSQL quota race: {args.attempts} threads, monthly limit {args.limit}")
    print(f"{'round':>5} {'reserved':>9} {'refused':>8} {'p50 ms':>8} {'max ms':>8}")
    all_reserved = []
    for round_number in range(1, args.rounds + 1):
        user = sign_up(email=f"race{round_number}@bench.local", password="bench password 123")
        PlanOverride.objects.create(
            user=user, unlimited_concurrent_jobs=True, monthly_jobs=args.limit
        )
        barrier = threading.Barrier(args.attempts)
        results: list[tuple[bool, float]] = []
        lock = threading.Lock()

        def attempt(user=user, barrier=barrier, results=results, lock=lock):
            connections["default"].ensure_connection()
            barrier.wait()
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    quotas.reserve_job_slot(user=user)
                ok = True
            except QuotaExceeded:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            connections.close_all()
            with lock:
                results.append((ok, elapsed))

        threads = [threading.Thread(target=attempt) for _ in range(args.attempts)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        reserved = sum(ok for ok, _ in results)
        stored = JobSlots.objects.get(user=user).jobs_this_period
        assert stored == reserved, "counter and successes disagree"
        latencies = [ms for _, ms in results]
        all_reserved.append(reserved)
        print(
            f"{round_number:>5} {reserved:>9} {args.attempts - reserved:>8} "
            f"{statistics.median(latencies):>8.1f} {max(latencies):>8.1f}"
        )
    exact = sum(1 for reserved in all_reserved if reserved == args.limit)
    print(
        f"successful reservations: {min(all_reserved)}..{max(all_reserved)} of {args.attempts} "
        f"(limit {args.limit}); exactly {args.limit} in {exact}/{args.rounds} rounds"
    )


if __name__ == "__main__":
    main()
