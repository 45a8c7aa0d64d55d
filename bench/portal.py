"""Portal: server time to render one page of a user's runs when they have many, then how a
job page with a long run draws its charts in a browser (bench/portal_charts.py).

Builds a throwaway embedded hub (SQLite in a temporary folder), gives one user --runs
finished runs with stored figures, then renders /portal/jobs/ in-process (Django's test
client: the whole request, middleware and template included, no network) under several
sorts and filters, and prints the median and the slowest of --repeat renders each.

    .venv/bin/python bench/portal.py [--runs 10000] [--repeat 20] [--chart-epochs 1000]
    .venv/bin/python bench/portal.py --skip-table      # the charts only
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = (
    ("newest first", ""),
    ("best accuracy first", "?sort=-accuracy"),
    ("most energy saved, AST only", "?kind=ast&sort=-energy_saved"),
    ("longest runs first", "?sort=-duration"),
    ("page 100", "?page=100"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--chart-epochs", type=int, default=1000)
    parser.add_argument("--chart-loads", type=int, default=5)
    parser.add_argument("--skip-table", action="store_true")
    parser.add_argument("--skip-charts", action="store_true")
    args = parser.parse_args()
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asthub_site.settings")
    if not args.skip_table:
        with tempfile.TemporaryDirectory(prefix="asthub-bench-portal-") as var_dir:
            os.environ["ASTHUB_VAR_DIR"] = var_dir
            run(args)
    if not args.skip_charts:
        import portal_charts  # bench/ is on the path when this file runs as a script

        print()
        portal_charts.run(argparse.Namespace(epochs=args.chart_epochs, repeat=args.chart_loads))


def run(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from accounts.services import sign_up
    from jobs.models import TrainingJob
    from tests.jobs.run_rows import finished_run

    setup_test_environment()  # the test client's host and response bookkeeping
    call_command("migrate", verbosity=0)
    user = sign_up(email="bench@example.com", password="a long passphrase 123")
    for start in range(0, args.runs, 2000):
        stop = min(start + 2000, args.runs)
        TrainingJob.objects.bulk_create([finished_run(user, n) for n in range(start + 1, stop + 1)])
    client = Client()
    client.force_login(user)
    print(f"runs table, {args.runs:,} runs of one user, SQLite, {args.repeat} renders each")
    print(f"{'page':<30} {'median ms':>10} {'max ms':>8} {'queries':>8} {'rows':>5}")
    for label, query in QUERIES:
        client.get(f"/portal/jobs/{query}")  # warm: templates compiled, session cached
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(f"/portal/jobs/{query}")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            page = client.get(f"/portal/jobs/{query}").content.decode()
        rows = page.count('name="run" value=')
        print(
            f"{label:<30} {statistics.median(times):>10.1f} {max(times):>8.1f} "
            f"{len(queries.captured_queries):>8} {rows:>5}"
        )


if __name__ == "__main__":
    main()
