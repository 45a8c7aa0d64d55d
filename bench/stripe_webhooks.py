"""Stripe webhooks: throughput, replays, concurrent duplicates, out-of-order and forged
deliveries, against the hub's real webhook view on a throwaway PostgreSQL database and
the local Stripe (tests/fakes/stripe.py) that the hub's stripe client reads back.

Prints what each phase delivered and what changed; nothing is asserted here.

    make bench-webhooks   (DATABASE_URL names the PostgreSQL server to borrow)
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SECRET_KEY = "sk_test_bench"  # noqa: S105 (the local Stripe's key)
WEBHOOK_SECRET = "whsec_bench"  # noqa: S105
WEBHOOK_PATH = "/billing/stripe/webhook/"


def _admin(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=30)
    parser.add_argument("--duplicates", type=int, default=8, help="threads per duplicate")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    from tests.fakes.stripe import FakeStripe, FakeStripeServer

    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    bench_db = f"asthub_bench_{os.getpid()}"
    with _admin(server_url) as admin:
        admin.execute(f'CREATE DATABASE "{bench_db}"')
    os.environ["DATABASE_URL"] = urlunparse(urlparse(server_url)._replace(path=f"/{bench_db}"))
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asthub_site.settings")
    fake = FakeStripe(api_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET)
    fake.hold_events = True
    try:
        with FakeStripeServer(fake):
            price = fake.add_price(product_name="AST Training Hub Pro", unit_amount=2900)
            os.environ.update(
                STRIPE_SECRET_KEY=SECRET_KEY,
                STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                STRIPE_PRICE_PRO=price,
                STRIPE_API_BASE=fake.base_url,
            )
            run(args, fake)
    finally:
        from django.db import connections

        connections.close_all()
        with _admin(server_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')


def deliver(client, fake, event_id: str, body: bytes | None = None, signature: str | None = None):
    body = fake.payload(event_id) if body is None else body
    started = time.perf_counter()
    answer = client.post(
        WEBHOOK_PATH,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=fake.sign(body) if signature is None else signature,
    )
    return answer.status_code, (time.perf_counter() - started) * 1000


def summary(label: str, codes: list[int], millis: list[float], seconds: float) -> None:
    counts = {code: codes.count(code) for code in sorted(set(codes))}
    print(
        f"{label:<34} {len(codes):>6} {len(codes) / seconds:>8.1f} "
        f"{statistics.median(millis):>7.1f} {max(millis):>7.1f}  {counts}"
    )


def run(args, fake) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import AuditEvent
    from accounts.services import sign_up
    from billing.models import StripeEvent, Subscription
    from billing.payments.sessions import start_checkout

    setup_test_environment()
    call_command("migrate", verbosity=0)
    client = Client()
    users = [
        sign_up(email=f"payer{n}@bench.local", password="bench password 123")
        for n in range(args.accounts)
    ]
    for user in users:
        fake.complete_checkout(start_checkout(user=user).rsplit("/", 1)[-1])

    def changes() -> int:
        return AuditEvent.objects.filter(action="plan.changed").count()

    print(f"{args.accounts} accounts through Checkout; {len(fake.pending_events)} events held")
    print(f"{'phase':<34} {'events':>6} {'per s':>8} {'p50 ms':>7} {'max ms':>7}  answers")

    first_pass = list(fake.pending_events)
    fake.pending_events.clear()
    started = time.perf_counter()
    results = [deliver(client, fake, event_id) for event_id in first_pass]
    summary("first delivery", *zip(*results, strict=True), time.perf_counter() - started)
    pro = Subscription.objects.filter(plan="pro").count()
    after_first = changes()

    started = time.perf_counter()
    results = [deliver(client, fake, event_id) for event_id in first_pass]
    summary("replay of every event", *zip(*results, strict=True), time.perf_counter() - started)
    replay_changes = changes() - after_first

    # Concurrent duplicates: the same new event from several threads at once.
    applied_per_round = []
    duplicate_codes: list[int] = []
    for _ in range(args.rounds):
        subscription_id = random.choice(list(fake.subscriptions))
        fake.cancel_at_period_end(subscription_id, cancel=True)
        fake.cancel_at_period_end(subscription_id, cancel=False)
        events = list(fake.pending_events)
        fake.pending_events.clear()
        barrier = threading.Barrier(args.duplicates)
        codes: list[int] = []
        lock = threading.Lock()

        def duplicate(event_id=events[0], barrier=barrier, codes=codes, lock=lock):
            own = Client()
            connections["default"].ensure_connection()
            barrier.wait()
            code, _ = deliver(own, fake, event_id)
            connections.close_all()
            with lock:
                codes.append(code)

        threads = [threading.Thread(target=duplicate) for _ in range(args.duplicates)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        applied_per_round.append(StripeEvent.objects.filter(event_id=events[0]).count())
        duplicate_codes.extend(codes)
        for event_id in events[1:]:
            deliver(client, fake, event_id)

    # Out of order: each account's updates delivered newest first.
    for subscription_id in fake.subscriptions:
        fake.cancel_at_period_end(subscription_id, cancel=True)
    for subscription_id in list(fake.subscriptions)[: args.accounts // 2]:
        fake.cancel_at_period_end(subscription_id, cancel=False)
    held = list(reversed(fake.pending_events))
    fake.pending_events.clear()
    started = time.perf_counter()
    results = [deliver(client, fake, event_id) for event_id in held]
    summary("updates, newest first", *zip(*results, strict=True), time.perf_counter() - started)
    newest = sum(
        Subscription.objects.get(stripe_subscription_id=sid).cancel_at_period_end
        == fake.subscriptions[sid]["cancel_at_period_end"]
        for sid in fake.subscriptions
    )

    # Forged: right bodies, wrong secret or stale timestamp; and garbage, signed.
    before = (changes(), StripeEvent.objects.count())
    forged = []
    started = time.perf_counter()
    for event_id in first_pass:
        body = fake.payload(event_id) + b" "
        forged.append(deliver(client, fake, event_id, body, fake.sign(fake.payload(event_id))))
        forged.append(deliver(client, fake, event_id, signature=fake.sign(b"x", secret="whsec_x")))
        stale = fake.sign(fake.payload(event_id), timestamp=int(time.time()) - 600)
        forged.append(deliver(client, fake, event_id, signature=stale))
        garbage = random.randbytes(200)
        forged.append(deliver(client, fake, event_id, garbage, fake.sign(garbage)))
    summary("forged, stale or garbage", *zip(*forged, strict=True), time.perf_counter() - started)
    forged_changes = (changes(), StripeEvent.objects.count()) != before

    print(f"accounts on Pro after the first delivery: {pro}/{args.accounts}")
    print(f"plan changes caused by replaying every event: {replay_changes}")
    print(
        f"concurrent duplicates ({args.duplicates} threads, {args.rounds} rounds): applied "
        f"{min(applied_per_round)}..{max(applied_per_round)} time(s) per event; answers "
        f"{ {code: duplicate_codes.count(code) for code in sorted(set(duplicate_codes))} }"
    )
    print(
        "accounts in Stripe's newest state after out-of-order updates: "
        f"{newest}/{len(fake.subscriptions)}"
    )
    print(f"anything changed by forged deliveries: {'yes' if forged_changes else 'no'}")
    print(f"Stripe reads by the hub: {len(fake.calls('subscriptions.retrieve'))}")


if __name__ == "__main__":
    main()
