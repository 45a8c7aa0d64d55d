"""Jobs throughput: 50 short local jobs for 5 users on a real hub.

Starts the hub as `make run` does (uvicorn, control and training workers, beat) in a
throwaway folder, creates 5 Enterprise users, starts 10 jobs each over REST from
parallel threads, follows every job's event stream, and prints:

- API latency of POST /api/v1/jobs/ (p50, p99);
- launch latency: job created → launched (control worker handed it to the training
  queue) and → running (a training worker started the engine; includes queueing for one
  of the training slots);
- metric latency: the engine writing an epoch's line → the SSE event reaching the client.

    .venv/bin/python bench/jobs_throughput.py [--users 5] [--jobs-per-user 10]

With REDIS_URL set, the hub uses Redis (broker and event fan-out) on database 13.
"""

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.live_hub import embedded_env, manage, running_hub  # noqa: E402

SPEC = {"dataset": "digits", "model": "mlp", "epochs": 2, "batch_size": 256}
MAKE_USERS = """
import json
from accounts.services import sign_up, create_token
from billing.services import change_plan
tokens = []
for n in range({users}):
    user = sign_up(email=f"bench{{n}}@bench.local", password="bench passphrase 123")
    change_plan(user=user, plan="enterprise")
    tokens.append(create_token(user=user, name="bench", scopes=["jobs:read", "jobs:write"])[1])
print(json.dumps(tokens))
"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def line(name: str, values: list[float], unit: str = "ms", scale: float = 1000) -> str:
    if not values:
        return f"{name:<44} (no samples)"
    return (
        f"{name:<44} p50 {pct(values, 50) * scale:8.1f} {unit}   p99 {pct(values, 99) * scale:8.1f}"
        f" {unit}   n={len(values)}"
    )


def follow(base_url: str, token: str, job_id: int, arrivals: list, lock: threading.Lock):
    headers = {"Authorization": f"Bearer {token}"}
    kind = None
    with (
        httpx.Client(base_url=base_url, headers=headers, timeout=600) as client,
        client.stream("GET", f"/api/v1/jobs/{job_id}/events") as stream,
    ):
        for text in stream.iter_lines():
            if text.startswith("event: "):
                kind = text[7:]
            elif text.startswith("data: "):
                if kind == "metric":
                    point = json.loads(text[6:])
                    with lock:
                        arrivals.append(time.time() - point["time"])
                if kind == "end":
                    return


def main() -> None:
    parser = argparse.ArgumentParser(description="Local jobs throughput on a real hub")
    parser.add_argument("--users", type=int, default=5)
    parser.add_argument("--jobs-per-user", type=int, default=10)
    args = parser.parse_args()
    extra = {}
    if os.environ.get("REDIS_URL"):
        extra["REDIS_URL"] = urlunparse(urlparse(os.environ["REDIS_URL"])._replace(path="/13"))
    with tempfile.TemporaryDirectory() as folder, running_hub(Path(folder), **extra) as hub:
        env = embedded_env(Path(folder), **extra)
        tokens = json.loads(manage(env, "shell", "-c", MAKE_USERS.format(users=args.users))
                            .strip().splitlines()[-1])  # fmt: skip
        base = hub["base_url"]
        post_latency: list[float] = []
        started: list[tuple[str, int]] = []
        arrivals: list[float] = []
        lock = threading.Lock()
        followers: list[threading.Thread] = []

        def start_jobs(token: str) -> None:
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                              timeout=60) as client:  # fmt: skip
                for _ in range(args.jobs_per_user):
                    t0 = time.perf_counter()
                    response = client.post("/api/v1/jobs/", json=SPEC)
                    elapsed = time.perf_counter() - t0
                    response.raise_for_status()
                    job_id = response.json()["id"]
                    follower = threading.Thread(
                        target=follow, args=(base, token, job_id, arrivals, lock)
                    )
                    follower.start()
                    with lock:
                        post_latency.append(elapsed)
                        started.append((token, job_id))
                        followers.append(follower)

        wall = time.perf_counter()
        starters = [threading.Thread(target=start_jobs, args=(token,)) for token in tokens]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()
        for follower in list(followers):
            follower.join(timeout=1800)
        wall = time.perf_counter() - wall

        launch, running, statuses = [], [], {}
        for token, job_id in started:
            job = httpx.get(f"{base}/api/v1/jobs/{job_id}/",
                            headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
            statuses[job["status"]] = statuses.get(job["status"], 0) + 1
            created = datetime.fromisoformat(job["created_at"])
            if job["started_at"]:
                running.append(
                    (datetime.fromisoformat(job["started_at"]) - created).total_seconds()
                )
        launched = _launched_seconds(env, [job_id for _, job_id in started])
        launch.extend(launched)
        print(f"jobs throughput: {len(started)} jobs for {len(tokens)} users "
              f"({SPEC['dataset']}/{SPEC['model']}, {SPEC['epochs']} epochs), "
              f"broker {'redis' if extra else 'embedded sqlite'}")  # fmt: skip
        print(f"finished: {statuses}; wall {wall:.1f} s; {len(started) / wall:.2f} jobs/s")
        print(line("POST /api/v1/jobs/", post_latency))
        print(line("launch latency (created -> launched)", launch))
        print(line("start latency (created -> engine running)", running, "s", 1))
        print(line("metric line -> SSE event", arrivals))


def _launched_seconds(env: dict, job_ids: list[int]) -> list[float]:
    """created → external id stored, from the audit of the launch (read in the hub's DB)."""
    script = (
        "import json; from jobs.models import TrainingJob; "
        f"rows = TrainingJob.objects.filter(pk__in={job_ids!r})"
        ".values_list('created_at', 'launched_at'); "
        "print(json.dumps([(b - a).total_seconds() for a, b in rows if b]))"
    )
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


if __name__ == "__main__":
    main()
