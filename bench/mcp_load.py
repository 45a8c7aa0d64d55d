"""Hub against bare controls, under the same closed-loop load, on loopback.

Two surfaces, each compared with a control that does the same protocol work and nothing else:

- MCP: `monitor_training` on the hub's `/mcp` (token check, rate counting, database reads of
  a finished 3-epoch run) against a bare `MCPServer` tool returning a constant answer of the
  same fields (same SDK, transport and uvicorn; no auth, no database).
- REST: `GET /api/v1/jobs/{id}/` on the hub (middleware, token check, plan throttle, database,
  serializer) against a bare DRF view returning a constant dict of the same keys, served by
  uvicorn through Django's ASGI handler with settings made in code (no middleware, no
  authentication, permission or throttle classes, no database).

    .venv/bin/python bench/mcp_load.py [--clients 20] [--seconds 15] [--rounds 3]
                                       [--surface mcp|rest|both]

Method. The real hub is started once (`running_hub` in a temporary folder, embedded
defaults) with a bench user on a plan override that never refuses, and one finished 3-epoch
run. For each surface the bare server is started once, in its own process, and reused for
all its runs; the hub (with its Celery processes, idle) stays up throughout. Then the two
sides alternate, bare first: bare, hub, bare, hub, ... `--rounds` times each, so a drift in
the machine's speed touches both sides alike. Each run is `--clients` clients in this
process's one asyncio loop, each with its own HTTP connection, calling back to back for
`--seconds` after a start signal (MCP sessions are initialized, and every REST client has
made one request, before the clock starts). Both sides get the same bearer header (the bare
servers ignore it), and the controls answer with a copy of the hub's answer for such a run,
so both send about the same bytes; the sizes are printed.

Reported per run: successful calls/s, p50 and p99 latency of the successful calls, calls
answered and errors (a tool error or MCP error, a REST answer other than 200), and the CPU
that processes outside this bench used meanwhile (in cores). Per surface: the median
calls/s and median p99 of each side, the ratios hub/bare of those medians, and whether the
goal holds (calls/s ratio >= 0.5 and p99 ratio <= 2.0). The load average and core count
are printed before and after; the "after" figure includes this bench's own load.

Everything, clients included, shares the machine's cores; on a small machine the clients
take a good part of the CPU, the same part for both sides.
"""

import argparse
import asyncio
import gc
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.live_hub import embedded_env, free_port, manage, running_hub  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CALLS_PER_S_GOAL = 0.5  # hub/bare, at least
P99_GOAL = 2.0  # hub/bare, at most
LOAD_WARNING_PER_CORE = 0.5  # a 1-min load average above this per core: the machine was busy
OTHERS_WARNING_PER_CORE = 0.1  # CPU used by other processes during a run, per core

MAKE_USER = """
import json
from accounts.services import sign_up, create_token
from billing.models import PlanOverride
from billing.services import change_plan
user = sign_up(email="mcpbench@bench.local", password="bench passphrase 123")
change_plan(user=user, plan="pro")
# High enough never to refuse, low enough that every call still counts in the cache.
PlanOverride.objects.create(user=user, api_requests_per_minute=10_000_000)
print(json.dumps(create_token(user=user, name="bench", scopes=["jobs:read", "jobs:write"])[1]))
"""


# The controls. Each runs in its own process (`--serve-bare-mcp PORT`, `--serve-bare-drf
# PORT`) so that it gets a whole interpreter and event loop, as the hub's uvicorn does.


# The hub's answers for the bench's finished run, captured on 2026-12-07 (GET
# /api/v1/jobs/{id}/ and monitor_training's structured content), so that each control renders
# and sends the same keys and about the same bytes. The bench prints both sides' sizes: a
# change in the hub's shape shows there, and these can then be captured again.
BARE_PROGRESS = {
    "job_id": 1,
    "status": "succeeded",
    "failure_reason": "",
    "epoch": 3,
    "epochs": 3,
    "val_accuracy": 0.9052924791086351,
    "train_loss": 0.6871192069865433,
    "activation_rate": 0.4860917941585535,
    "compute_savings": 0.3335651367640241,
    "energy_savings": 0.3233001046093801,
    "energy_kwh": 3.373747111111146e-07,
    "cost_usd": 5.0606206666667184e-08,
    "cost_saved_usd": 2.3254352617391367e-08,
    "cost_basis": "local cpu: 0.000000337 kWh (estimated) at $0.15/kWh",
    "eta_minutes": 0.0,
    "updated_at": "2026-12-07T10:31:31.417817Z",
    "finished": True,
    "waited_seconds": 0.0,
    "accuracy": 0.9052924791086351,
    "last_update": "2026-12-07T10:31:31.417817Z",
}


def serve_bare_mcp(port: int) -> None:
    """The same SDK, transport and answer shape as the hub's `monitor_training`, nothing else.
    The model is the bench's own, so that the control does not move when the gateway does."""
    from datetime import datetime

    import uvicorn
    from mcp.server.mcpserver import MCPServer
    from mcp.server.transport_security import TransportSecuritySettings
    from pydantic import BaseModel

    class Progress(BaseModel):
        job_id: int
        status: str
        failure_reason: str
        epoch: int
        epochs: int
        val_accuracy: float | None
        train_loss: float | None
        activation_rate: float | None
        compute_savings: float | None
        energy_savings: float | None
        energy_kwh: float | None
        cost_usd: float | None
        cost_saved_usd: float | None
        cost_basis: str
        eta_minutes: float | None
        updated_at: datetime | None
        finished: bool
        waited_seconds: float = 0.0
        accuracy: float | None
        last_update: datetime | None

    # WARNING: at INFO the SDK logs every stateless session's end on this bench's terminal.
    server = MCPServer(name="bare", log_level="WARNING")

    @server.tool()
    async def monitor_training(job_id: int, wait_seconds: float = 0) -> Progress:
        """Constant progress."""
        return Progress.model_validate(BARE_PROGRESS | {"job_id": job_id})

    app = server.streamable_http_app(
        stateless_http=True,
        transport_security=TransportSecuritySettings(
            allowed_hosts=["127.0.0.1:*"], allowed_origins=["http://127.0.0.1:*"]
        ),
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


BARE_JOB = {
    "job_id": 1,
    "name": "",
    "status": "succeeded",
    "platform": "local",
    "dataset": "digits",
    "model": "mlp",
    "epochs": 3,
    "batch_size": 128,
    "learning_rate": 0.001,
    "seed": 0,
    "hardware": "cpu",
    "ast_config": {
        "target_activation_rate": 0.5,
        "entropy_weight": 0.3,
        "warmup_epochs": 1,
        "selection": "importance",
        "anneal_fraction": 0.125,
        "min_keep_probability": 0.1,
        "scale_learning_rate": True,
        "kp": 1.5,
        "ki": 0.15,
        "min_activation": 0.05,
        "scoring": "fresh",
    },
    "is_baseline": False,
    "baseline_job_id": None,
    "sweep_id": None,
    "rerun_of_id": None,
    "auto_upload_hf": False,
    "hf_repo": "",
    "external_id": "celery:089ba4ba-40a4-4236-ae0f-5c50b471742b",
    "failure_reason": "",
    "waiting_for_slot": False,
    "created_at": "2026-12-07T10:31:14.829852Z",
    "launched_at": "2026-12-07T10:31:14.985312Z",
    "started_at": "2026-12-07T10:31:15.134232Z",
    "finished_at": "2026-12-07T10:31:34.397063Z",
    "engine_version": "1.1.0",
    "script_sha256": "d6d49b882531dc90e9386800efde250f67ee90130f6d85c7a5464a3a102bc0d8",
    "config": {
        "dataset": "digits",
        "model": "mlp",
        "epochs": 3,
        "batch_size": 128,
        "learning_rate": 0.001,
        "seed": 0,
        "optimizer": "adam",
        "weight_decay": 0.0,
        "val_fraction": 0.2,
        "device": "auto",
        "pretrained": False,
        "num_classes": None,
        "max_samples": None,
        "image_size": 64,
        "amp": True,
        "num_threads": None,
        "device_power_watts": None,
        "checkpoint": True,
        "ast": {
            "enabled": True,
            "target_activation_rate": 0.5,
            "entropy_weight": 0.3,
            "warmup_epochs": 1,
            "selection": "importance",
            "anneal_fraction": 0.125,
            "min_keep_probability": 0.1,
            "scale_learning_rate": True,
            "kp": 1.5,
            "ki": 0.15,
            "min_activation": 0.05,
            "scoring": "fresh",
            "stale_refresh_every": 3,
            "pack_selected": True,
        },
    },
    "progress": {
        "epoch": 3,
        "epochs": 3,
        "val_accuracy": 0.9052924791086351,
        "train_loss": 0.6871192069865433,
        "activation_rate": 0.4860917941585535,
        "threshold": 1.5718996672336423,
        "compute_savings": 0.3335651367640241,
        "energy_savings": 0.3233001046093801,
        "energy_kwh": 3.373747111111146e-07,
        "eta_minutes": 0.0,
        "updated_at": "2026-12-07T10:31:31.417817Z",
        "cost_usd": 5.0606206666667184e-08,
        "cost_saved_usd": 2.3254352617391367e-08,
        "cost_basis": "local cpu: 0.000000337 kWh (estimated) at $0.15/kWh",
    },
    "id": 1,
    "baseline_id": None,
}

# Filled by serve_bare_drf once Django is configured (DRF cannot be imported before).
urlpatterns: list = []


def serve_bare_drf(port: int) -> None:
    """A DRF view returning BARE_JOB through Django's ASGI handler, with only what DRF needs."""
    import django
    import uvicorn
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="bare-drf-bench-only",
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework"],
        MIDDLEWARE=[],
        USE_TZ=True,
        REST_FRAMEWORK={
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "DEFAULT_THROTTLE_CLASSES": [],
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
            "UNAUTHENTICATED_USER": None,
        },
    )
    django.setup()
    from django.core.asgi import get_asgi_application
    from django.urls import path
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class BareJobView(APIView):
        def get(self, request, job_id: int):
            return Response(BARE_JOB)

    urlpatterns.append(path("api/v1/jobs/<int:job_id>/", BareJobView.as_view()))
    uvicorn.run(get_asgi_application(), host="127.0.0.1", port=port, log_level="warning")


@contextmanager
def bare_server(mode: str) -> Iterator[str]:
    """One control process for all of a surface's runs; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    process = subprocess.Popen([sys.executable, __file__, mode, str(port)], cwd=ROOT, env=env)
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bare server exited early with code {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"bare server on port {port} did not start")


# Measuring.


def busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy (steal and iowait are not busy)."""
    times = psutil.cpu_times()
    return times.user + times.nice + times.system + times.irq + times.softirq


def own_cpu_seconds() -> float:
    """CPU time of this bench, the hub and the controls: this process and all below it."""
    me = psutil.Process()
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


@dataclass
class Run:
    side: str
    calls: int  # answered, errors included
    errors: int
    calls_per_s: float  # successful calls only
    p50_ms: float
    p99_ms: float
    others_cores: float  # CPU used meanwhile by processes outside this bench


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


class Race:
    """What one run's clients share: a start line, a deadline and the outcomes of calls."""

    def __init__(self, clients: int) -> None:
        self.clients = clients
        self.ready_count = 0
        self.all_ready = asyncio.Event()
        self.start = asyncio.Event()
        self.deadline = float("inf")
        self.outcomes: list[tuple[bool, float]] = []  # (answered OK, seconds)

    async def ready(self) -> None:
        """A client is connected and through its first exchange; returns at the start."""
        self.ready_count += 1
        if self.ready_count == self.clients:
            self.all_ready.set()
        await self.start.wait()

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def record(self, ok: bool, seconds: float) -> None:
        self.outcomes.append((ok, seconds))


Client = Callable[[Race], Awaitable[None]]


async def closed_loop(side: str, client: Client, clients: int, seconds: float) -> Run:
    """`clients` copies of `client` calling back to back for `seconds` after all are ready."""
    race = Race(clients)
    tasks = [asyncio.create_task(client(race)) for _ in range(clients)]
    await wait_all_ready(race, tasks)
    busy_before, own_before = busy_cpu_seconds(), own_cpu_seconds()
    began = time.monotonic()
    race.deadline = began + seconds
    race.start.set()
    await asyncio.gather(*tasks)
    # The calls in flight at the deadline finish and count: the time they take counts too.
    elapsed = time.monotonic() - began
    others = (busy_cpu_seconds() - busy_before) - (own_cpu_seconds() - own_before)
    ok = [duration for success, duration in race.outcomes if success]
    return Run(
        side=side,
        calls=len(race.outcomes),
        errors=len(race.outcomes) - len(ok),
        calls_per_s=len(ok) / elapsed,
        p50_ms=percentile(ok, 50) * 1000,
        p99_ms=percentile(ok, 99) * 1000,
        # Tick rounding can make a near-zero figure slightly negative.
        others_cores=max(0.0, others / elapsed),
    )


async def wait_all_ready(race: Race, tasks: list[asyncio.Task], timeout: float = 120) -> None:
    """Until every client is ready; a client that failed to connect raises its error here."""
    deadline = time.monotonic() + timeout
    while not race.all_ready.is_set():
        for task in tasks:
            if task.done():
                task.result()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{race.ready_count} of {race.clients} clients ready")
        await asyncio.sleep(0.05)


def mcp_client(url: str, token: str, job_id: int) -> Client:
    import httpx2
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared.exceptions import MCPError

    # The bare server gets the same header as the hub, and ignores it.
    headers = {"Authorization": f"Bearer {token}"}

    async def client(race: Race) -> None:
        async with (
            httpx2.AsyncClient(headers=headers, timeout=60) as http,
            streamable_http_client(url, http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            await race.ready()
            while race.running():
                began = time.perf_counter()
                try:
                    result = await session.call_tool("monitor_training", {"job_id": job_id})
                    ok = not result.is_error
                except MCPError:  # an error answer (a refusal, say): count it, go on
                    ok = False
                race.record(ok, time.perf_counter() - began)

    return client


def rest_client(url: str, token: str) -> Client:
    import httpx2

    headers = {"Authorization": f"Bearer {token}"}  # the bare view ignores it

    async def client(race: Race) -> None:
        async with httpx2.AsyncClient(headers=headers, timeout=60) as http:
            (await http.get(url)).raise_for_status()  # connect and warm up, untimed
            await race.ready()
            while race.running():
                began = time.perf_counter()
                response = await http.get(url)
                race.record(response.status_code == 200, time.perf_counter() - began)

    return client


async def mcp_answer_size(base_url: str, token: str, job_id: int) -> int:
    """Bytes of one `monitor_training` structured answer; fails fast on an error."""
    from tests.mcp.mcp_client import mcp_session, structured

    async with mcp_session(base_url, token) as session:
        result = await session.call_tool("monitor_training", {"job_id": job_id})
        return len(json.dumps(structured(result)))


def rest_answer_size(url: str, token: str) -> int:
    import httpx2

    headers = {"Authorization": f"Bearer {token}"}
    response = httpx2.get(url, headers=headers, timeout=60)
    response.raise_for_status()
    return len(response.content)


# The hub's side.


def finished_job(base_url: str, token: str) -> int:
    """A real 3-epoch run, so monitor_training reads metrics, costs and savings."""
    from tests.mcp.mcp_client import mcp_session, structured

    async def go() -> int:
        async with mcp_session(base_url, token) as session:
            started = await session.call_tool(
                "start_training", {"dataset": "digits", "model": "mlp", "epochs": 3}
            )
            job_id = structured(started)["job"]["job_id"]
            done = await session.call_tool(
                "monitor_training", {"job_id": job_id, "wait_seconds": 300}
            )
            assert structured(done)["status"] == "succeeded", structured(done)
            return job_id

    return asyncio.run(go())


def alternate(make_client: Callable[[str], Client], bare_url: str, hub_url: str, args) -> list[Run]:
    """bare, hub, bare, hub, ...: `args.rounds` runs of each, each printed as it ends,
    after an untimed warm-up of each side (first-call costs belong to neither)."""
    # The clients live in this process, whose heap (Django, the test helpers) a full
    # collection would walk with the clients' loop stopped: that pause would land in
    # whichever side was being timed.
    gc.collect()
    gc.freeze()
    for url in (bare_url, hub_url):
        asyncio.run(closed_loop("warm-up", make_client(url), args.clients, min(2.0, args.seconds)))
    runs = []
    for round_number in range(1, args.rounds + 1):
        for side, url in (("bare", bare_url), ("hub", hub_url)):
            run = asyncio.run(closed_loop(side, make_client(url), args.clients, args.seconds))
            print(run_row(f"{side}, round {round_number}", run), flush=True)
            runs.append(run)
    return runs


def bench_mcp(hub: dict, token: str, job_id: int, args) -> list[Run]:
    with bare_server("--serve-bare-mcp") as bare_base:
        bare_url, hub_url = f"{bare_base}/mcp", f"{hub['base_url']}/mcp"
        bare_size = asyncio.run(mcp_answer_size(bare_base, token, job_id))
        hub_size = asyncio.run(mcp_answer_size(hub["base_url"], token, job_id))
        print(f"\nMCP monitor_training (structured answer: hub {hub_size} B, bare {bare_size} B)")
        print(HEADER)
        return alternate(lambda url: mcp_client(url, token, job_id), bare_url, hub_url, args)


def bench_rest(hub: dict, token: str, job_id: int, args) -> list[Run]:
    with bare_server("--serve-bare-drf") as bare_base:
        path = f"/api/v1/jobs/{job_id}/"
        bare_url, hub_url = f"{bare_base}{path}", f"{hub['base_url']}{path}"
        bare_size = rest_answer_size(bare_url, token)
        hub_size = rest_answer_size(hub_url, token)
        print(
            f"\nREST GET /api/v1/jobs/{{id}}/ (answer body: hub {hub_size} B, bare {bare_size} B)"
        )
        print(HEADER)
        return alternate(lambda url: rest_client(url, token), bare_url, hub_url, args)


# Reporting.

HEADER = (
    f"{'run':<16} {'calls/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'calls':>7} {'errors':>6}"
    f" {'others (cores)':>15}"
)


def run_row(name: str, run: Run) -> str:
    return (
        f"{name:<16} {run.calls_per_s:8.1f} {run.p50_ms:8.1f} {run.p99_ms:8.1f} {run.calls:7d}"
        f" {run.errors:6d} {run.others_cores:15.2f}"
    )


def summary(runs: list[Run]) -> list[str]:
    """Medians per side, their ratios hub/bare, and whether the goal holds."""
    lines = []
    calls_per_s, p99_ms = {}, {}
    for side in ("bare", "hub"):
        mine = [run for run in runs if run.side == side]
        calls_per_s[side] = statistics.median(run.calls_per_s for run in mine)
        p99_ms[side] = statistics.median(run.p99_ms for run in mine)
        lines.append(
            f"median {side:<9} {calls_per_s[side]:8.1f} {'':>8} {p99_ms[side]:8.1f}"
            f"   ({len(mine)} runs, {sum(run.errors for run in mine)} errors)"
        )
    calls_ratio = calls_per_s["hub"] / calls_per_s["bare"]
    p99_ratio = p99_ms["hub"] / p99_ms["bare"]
    met = calls_ratio >= CALLS_PER_S_GOAL and p99_ratio <= P99_GOAL
    lines.append(
        f"ratio hub/bare: calls/s {calls_ratio:.2f} (goal >= {CALLS_PER_S_GOAL}),"
        f" p99 {p99_ratio:.2f} (goal <= {P99_GOAL})"
    )
    # A median of one or two runs is no median: say so next to the verdict.
    rounds = len(runs) // 2
    caveat = "" if rounds >= 3 else f" (from {rounds} run(s) a side: indicative only)"
    lines.append(f"goal met: {'yes' if met else 'no'}{caveat}")
    return lines


def load_line(when: str) -> tuple[str, float]:
    one, five, fifteen = os.getloadavg()
    cores = os.cpu_count() or 1
    return (
        f"load average {when}: {one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min), {cores} cores",
        one,
    )


def load_warnings(loads: dict[str, float], runs: list[Run]) -> list[str]:
    cores = os.cpu_count() or 1
    warnings = [
        f"WARNING: load average (1 min) {when} was {one:.2f}, above {LOAD_WARNING_PER_CORE}"
        f" x {cores} cores: the figures may be disturbed"
        + (" (the after figure includes this bench's own load)" if when == "after" else "")
        for when, one in loads.items()
        if one > LOAD_WARNING_PER_CORE * cores
    ]
    shared = [run for run in runs if run.others_cores > OTHERS_WARNING_PER_CORE * cores]
    if shared:
        worst = max(run.others_cores for run in shared)
        warnings.append(
            f"WARNING: other processes used up to {worst:.2f} cores during {len(shared)} of"
            f" {len(runs)} runs: the machine was shared"
        )
    return warnings


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (1..200)")
    parser.add_argument("--seconds", type=float, default=15, help="length of one run (1..300)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each side (1..20)")
    parser.add_argument("--surface", choices=["mcp", "rest", "both"], default="both")
    parser.add_argument("--serve-bare-mcp", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bare-drf", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.clients <= 200:
        parser.error("--clients must be 1..200")
    if not 1 <= args.seconds <= 300:
        parser.error("--seconds must be 1..300")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be 1..20")
    return args


def main() -> None:
    args = parse_args()
    if args.serve_bare_mcp:
        serve_bare_mcp(args.serve_bare_mcp)
        return
    if args.serve_bare_drf:
        serve_bare_drf(args.serve_bare_drf)
        return

    line, load_before = load_line("before")
    print(line, flush=True)
    print(f"{args.clients} clients, {args.seconds:g} s a run, {args.rounds} rounds, loopback")
    results: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory() as folder, running_hub(Path(folder)) as hub:
        made = manage(embedded_env(Path(folder)), "shell", "-c", MAKE_USER)
        token = json.loads(made.strip().splitlines()[-1])
        job_id = finished_job(hub["base_url"], token)
        if args.surface in ("mcp", "both"):
            results["MCP monitor_training"] = bench_mcp(hub, token, job_id, args)
        if args.surface in ("rest", "both"):
            results["REST GET /api/v1/jobs/{id}/"] = bench_rest(hub, token, job_id, args)
    line, load_after = load_line("after")

    for surface, runs in results.items():
        print(f"\n{surface}")
        print("\n".join(summary(runs)))
    print()
    print(line)
    all_runs = [run for runs in results.values() for run in runs]
    for warning in load_warnings({"before": load_before, "after": load_after}, all_runs):
        print(warning)


if __name__ == "__main__":
    main()
