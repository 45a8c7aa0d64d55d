"""Soak: the embedded hub under a steady load while its workers are killed.

Starts the hub as `make run` does (embedded defaults unless REDIS_URL/DATABASE_URL are
set), creates 10 Enterprise users, starts 200 short local jobs over REST (20 per user, a
few at a time), follows every job's event stream, and every `--kill-every` seconds kills
a random Celery worker process (a worker's main process or one of its pool children)
with SIGKILL. At the end it prints:

- jobs succeeded / failed / lost (not ended when the soak gave up waiting);
- metric rows duplicated or missing (every succeeded job must have epochs 1..N once);
- engine processes left over after the jobs ended and after the hub stopped;
- launch latency p50/p99 (job created -> engine running), and metric line -> SSE event;
- the kills made and how often /healthz did not answer.

    .venv/bin/python bench/soak.py [--users 10] [--jobs 200] [--kill-every 60]

By default it starts its own hub in a throwaway folder. `--attach CHECKOUT` soaks the
hub that `make run` is serving from that checkout instead (`--url`, default
http://127.0.0.1:8000), and leaves it running at the end.
"""

import argparse
import contextlib
import json
import random
import signal
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from jobs_throughput import MAKE_USERS, _launched_seconds, follow, line  # noqa: E402

from tests.faults.hub_tools import TERMINAL, HealthWatcher, engine_processes, wait_no_engines  # noqa: E402
from tests.live_hub import embedded_env, manage, running_hub  # noqa: E402

SPEC = {"dataset": "digits", "model": "mlp", "epochs": 3, "batch_size": 128}
COUNT_ROWS = """
import json
from django.db.models import Count
from jobs.models import MetricPoint
rows = MetricPoint.objects.values("job_id", "epoch").annotate(n=Count("id")).filter(n__gt=1)
print(json.dumps(len(rows)))
"""


def worker_processes(hub_pid: int) -> list[psutil.Process]:
    """The Celery workers under run_hub and their children (with the threads pool, the
    training worker's children are the engines it supervises)."""
    found = []
    for child in psutil.Process(hub_pid).children():
        try:
            if "worker" in child.cmdline():
                found.append(child)
                found.extend(child.children())
        except psutil.Error:
            continue
    return found


class Killer(threading.Thread):
    def __init__(self, hub_pid: int, every: float) -> None:
        super().__init__(daemon=True)
        self.hub_pid, self.every = hub_pid, every
        self.kills: list[str] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            candidates = worker_processes(self.hub_pid)
            if not candidates:
                continue
            victim = random.choice(candidates)  # noqa: S311 - chaos, not crypto
            try:
                name = " ".join(victim.cmdline()[3:9])
                victim.send_signal(signal.SIGKILL)
                self.kills.append(f"{time.strftime('%H:%M:%S')} pid {victim.pid} ({name})")
            except psutil.Error:
                continue


@contextlib.contextmanager
def attached_hub(checkout: Path, url: str):
    """The hub `make run` serves from `checkout` (its run_hub process, its var folder)."""
    for process in psutil.process_iter():
        try:
            if "run_hub" in process.cmdline() and Path(process.cwd()) == checkout.resolve():
                yield {"base_url": url.rstrip("/"), "process": process, "var_dir": checkout / "var"}
                return
        except psutil.Error:
            continue
    raise SystemExit(f"no `make run` hub is running from {checkout}")


@contextlib.contextmanager
def own_hub():
    with tempfile.TemporaryDirectory() as folder, running_hub(Path(folder)) as hub:
        yield hub | {"var_dir": Path(folder)}


def main() -> None:
    parser = argparse.ArgumentParser(description="Soak the hub while killing its workers")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--kill-every", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--attach", type=Path, help="soak the `make run` hub of this checkout")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    per_user = args.jobs // args.users
    hub_context = attached_hub(args.attach, args.url) if args.attach else own_hub()
    with hub_context as hub:
        var_dir = hub["var_dir"]
        env = embedded_env(var_dir)
        tokens = json.loads(manage(env, "shell", "-c", MAKE_USERS.format(users=args.users))
                            .strip().splitlines()[-1])  # fmt: skip
        base = hub["base_url"]
        arrivals: list[float] = []
        started: list[tuple[str, int]] = []
        lock = threading.Lock()
        followers: list[threading.Thread] = []
        refused: list[str] = []

        def start_jobs(token: str) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                for _ in range(per_user):
                    response = client.post("/api/v1/jobs/", json=SPEC)
                    if response.status_code != 201:
                        refused.append(f"{response.status_code} {response.text[:120]}")
                        continue
                    job_id = response.json()["id"]
                    follower = threading.Thread(
                        target=follow, args=(base, token, job_id, arrivals, lock), daemon=True
                    )
                    follower.start()
                    with lock:
                        started.append((token, job_id))
                        followers.append(follower)
                    time.sleep(random.uniform(0.5, 3.0))  # noqa: S311 - a user's pace

        killer = Killer(hub["process"].pid, args.kill_every)
        wall = time.perf_counter()
        with HealthWatcher(base, interval=1.0) as health:
            killer.start()
            starters = [threading.Thread(target=start_jobs, args=(t,)) for t in tokens]
            for thread in starters:
                thread.start()
            for thread in starters:
                thread.join()
            statuses = _wait_for_all(base, started, deadline=time.monotonic() + args.timeout)
            killer.done.set()
        wall = time.perf_counter() - wall
        for follower in followers:
            follower.join(timeout=5)
        leftover_running = len(wait_no_engines(var_dir, timeout=30))
        duplicates = json.loads(manage(env, "shell", "-c", COUNT_ROWS).strip().splitlines()[-1])
        missing, launch = 0, []
        for token, job_id in started:
            headers = {"Authorization": f"Bearer {token}"}
            job = statuses[job_id]
            if job["status"] == "succeeded":
                points = httpx.get(f"{base}/api/v1/jobs/{job_id}/metrics/", headers=headers)
                epochs = [p["epoch"] for p in points.json()["points"]]
                missing += len(set(range(1, SPEC["epochs"] + 1)) - set(epochs))
            if job.get("started_at"):
                launch.append(
                    (
                        datetime.fromisoformat(job["started_at"])
                        - datetime.fromisoformat(job["created_at"])
                    ).total_seconds()
                )
        launched = _launched_seconds(env, [job_id for _, job_id in started])
        leftover_after_stop = None
        if not args.attach:
            hub["process"].send_signal(signal.SIGINT)
            hub["process"].wait(timeout=60)
            leftover_after_stop = len(engine_processes(var_dir))

    counts: dict[str, int] = {}
    for job in statuses.values():
        key = job["status"] if job["status"] in TERMINAL else "lost"
        counts[key] = counts.get(key, 0) + 1
    print(f"soak: {len(started)} jobs for {len(tokens)} users "
          f"({SPEC['dataset']}/{SPEC['model']}, {SPEC['epochs']} epochs), "
          f"a worker process killed every {args.kill_every:g} s; wall {wall:.0f} s")  # fmt: skip
    print(f"jobs: succeeded {counts.get('succeeded', 0)}, failed {counts.get('failed', 0)}, "
          f"cancelled {counts.get('cancelled', 0)}, lost {counts.get('lost', 0)}; "
          f"refused at POST {len(refused)}")  # fmt: skip
    for reason in refused[:5]:
        print(f"  refused: {reason}")
    for job_id, job in statuses.items():
        if job["status"] != "succeeded":
            print(f"  job {job_id}: {job['status']} {job.get('failure_reason', '')[:160]}")
    print(f"metric rows duplicated {duplicates}, missing {missing}")
    after_stop = "" if leftover_after_stop is None else f", {leftover_after_stop} after it stopped"
    print(f"engines left over: {leftover_running} after the jobs ended{after_stop}; "
          f"hub {'still up' if _alive(hub['process']) else 'stopped'}")  # fmt: skip
    print(line("launch latency (created -> launched)", launched, "s", 1))
    print(line("start latency (created -> engine running)", launch, "s", 1))
    print(line("metric line -> SSE event", arrivals))
    print(f"/healthz: {health.served} answered, {len(health.unanswered)} not answered; "
          f"states seen {sorted(health.statuses)}")  # fmt: skip
    print(f"kills ({len(killer.kills)}):")
    for kill in killer.kills:
        print(f"  {kill}")


def _alive(process) -> bool:
    return process.poll() is None if hasattr(process, "poll") else process.is_running()


def _wait_for_all(base: str, started, deadline: float) -> dict[int, dict]:
    statuses: dict[int, dict] = {}
    pending = dict((job_id, token) for token, job_id in started)
    while pending and time.monotonic() < deadline:
        for job_id, token in list(pending.items()):
            try:
                job = httpx.get(
                    f"{base}/api/v1/jobs/{job_id}/",
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30,
                ).json()
            except httpx.HTTPError:
                continue
            statuses[job_id] = job
            if job["status"] in TERMINAL:
                del pending[job_id]
        time.sleep(2)
    return statuses


if __name__ == "__main__":
    main()
