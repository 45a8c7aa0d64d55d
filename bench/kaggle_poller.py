"""Kaggle poller: one sweep over 1,000 running Kaggle jobs against the local Kaggle.

Sets up an embedded hub (SQLite in WAL mode in a throwaway folder) with 20 users, each
with a Kaggle credential, and 1,000 running Kaggle jobs whose kernels are running on the
fake (each with a few AST_METRIC lines in its log). The fake answers every request after
`--latency` (20 ms by default). Then it runs the beat task's sweep (`poll_due_jobs`,
REMOTE_POLL_CONCURRENCY threads) and prints how long a full sweep took and how many API
calls it made, by route: the target is one status call per job per sweep; log reads of
running kernels are counted separately (each waits KAGGLE_LOG_IDLE_SECONDS of silence
on the live stream before the poll moves on).

    .venv/bin/python bench/kaggle_poller.py [--jobs 1000] [--users 20] [--latency 0.02]
        [--concurrency 32] [--idle 0.5] [--sweeps 2]
"""

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.02, help="fake's answer time (s)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--idle", type=float, default=0.5, help="KAGGLE_LOG_IDLE_SECONDS")
    parser.add_argument("--sweeps", type=int, default=2)
    args = parser.parse_args()

    from tests.fakes.kaggle import Kernel, ScriptedRun, Version, running_fake

    with tempfile.TemporaryDirectory(prefix="bench-kaggle-") as var, running_fake() as fake:
        for name in ("DATABASE_URL", "REDIS_URL"):
            os.environ.pop(name, None)
        os.environ.update(
            ASTHUB_VAR_DIR=var,
            DJANGO_SETTINGS_MODULE="asthub_site.settings",
            KAGGLE_API_BASE=fake.base_url,
            REMOTE_POLL_CONCURRENCY=str(args.concurrency),
            REMOTE_POLL_INTERVAL_SECONDS="15",
        )
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.utils import timezone

        settings.KAGGLE_LOG_IDLE_SECONDS = args.idle
        call_command("migrate", verbosity=0)

        from accounts.services import CredentialInput, add_credential, sign_up
        from billing.services import change_plan
        from jobs.models import JobStatus, MetricPoint, TrainingJob
        from jobs.runs.poll import poll_due_jobs
        from jobs.spec import JobSpec
        from jobs.training import ENGINE_VERSION

        users = []
        for n in range(args.users):
            token = f"KGAT_bench_{n:04d}_0123456789"
            fake.add_user(f"bench{n}", token=token)
            user = sign_up(email=f"bench{n}@bench.local", password="bench passphrase 123")
            change_plan(user=user, plan="enterprise")
            add_credential(user=user, data=CredentialInput(provider="kaggle", token=token))
            users.append(user)
        config = JobSpec(platform="kaggle", epochs=10).engine_config()
        now = timezone.now()
        lines = [
            "AST_METRIC " + json.dumps({"epoch": e, "epochs": 10, "val_accuracy": 0.5})
            for e in (1, 2, 3)
        ]
        jobs = []
        for n in range(args.jobs):
            user = users[n % args.users]
            jobs.append(
                TrainingJob(
                    owner=user, platform="kaggle", dataset="digits", model="mlp", epochs=10,
                    batch_size=128, learning_rate=1e-3, config=config,
                    engine_version=ENGINE_VERSION, script_sha256="0" * 64,
                    slot_period=now.date().replace(day=1), status=JobStatus.RUNNING,
                    launched_at=now, started_at=now, next_poll_at=now,
                )
            )  # fmt: skip
        TrainingJob.objects.bulk_create(jobs, batch_size=500)
        for job in TrainingJob.objects.filter(platform="kaggle").select_related("owner"):
            owner = f"bench{users.index(job.owner)}"
            slug = f"ast-hub-job-{job.pk}"
            run = ScriptedRun(lines=lines, end="RUNNING")
            fake.kernels[(owner, slug)] = Kernel(owner, slug, f"AST Hub job {job.pk}", job.pk,
                                                 [Version(1, {}, run)])  # fmt: skip
            state = {"owner": owner, "slug": slug, "version": 1, "log_events": 0,
                     "log_partial": "", "data_sources": {}}  # fmt: skip
            TrainingJob.objects.filter(pk=job.pk).update(
                external_id=f"{owner}/{slug}", platform_state=state
            )
        fake.latency = args.latency
        print(
            f"kaggle poller benchmark: {args.jobs} running jobs, {args.users} users, fake "
            f"latency {args.latency * 1000:.0f} ms, {args.concurrency} threads, log idle "
            f"{args.idle:g} s, SQLite (WAL), {os.cpu_count()} cpus"
        )
        for sweep in range(1, args.sweeps + 1):
            fake.seen.clear()
            started = time.monotonic()
            outcome = poll_due_jobs(now=timezone.now() + timedelta(hours=1))
            elapsed = time.monotonic() - started
            routes = Counter(seen.route for seen in fake.seen)
            status_calls = routes.pop("GetKernelSessionStatus", 0)
            log_reads = routes.pop("logs/stream", 0)
            print(
                f"sweep {sweep}: {elapsed:6.1f} s for {outcome.get('polled', 0)} jobs "
                f"({outcome}); status calls {status_calls} "
                f"({status_calls / max(1, args.jobs):.2f} per job), log reads {log_reads}, "
                f"other calls {sum(routes.values())} {dict(routes) or ''}; "
                f"metric points stored {MetricPoint.objects.count()}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
