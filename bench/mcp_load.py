"""MCP load: 20 concurrent clients calling monitor_training for 30 s, against the real hub
(auth, rate counting, database) and against a bare MCPServer tool (no auth, no database),
both served by one uvicorn process on loopback in the same run. Prints calls/s, p50/p99
latency and the ratio hub/bare.

    .venv/bin/python bench/mcp_load.py [--clients 20] [--seconds 30]

Each client is one SDK `ClientSession` (streamable HTTP, stateless server) calling the tool
back to back; the clients share one asyncio loop in this process.
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.live_hub import embedded_env, free_port, manage, running_hub  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
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


def serve_bare(port: int) -> None:
    """The control: the same SDK, transport and output model shape, nothing else."""
    import uvicorn
    from mcp.server.mcpserver import MCPServer
    from mcp.server.transport_security import TransportSecuritySettings

    from mcp_gateway.schemas import Progress

    server = MCPServer(name="bare")

    @server.tool()
    async def monitor_training(job_id: int, wait_seconds: float = 0) -> Progress:
        """Constant progress."""
        return Progress(
            job_id=job_id,
            status="succeeded",
            failure_reason="",
            epoch=3,
            epochs=3,
            accuracy=0.9,
            activation_rate=0.4,
            compute_savings=0.4,
            energy_savings=0.35,
            cost_usd=0.01,
            cost_saved_usd=0.004,
            eta_minutes=0,
            last_update=None,
            finished=True,
        )

    app = server.streamable_http_app(
        stateless_http=True,
        transport_security=TransportSecuritySettings(
            allowed_hosts=["127.0.0.1:*"], allowed_origins=["http://127.0.0.1:*"]
        ),
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def load(url: str, token: str, job_id: int, clients: int, seconds: float) -> dict:
    import httpx2
    from mcp.client.session import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    assert url.startswith("http://127.0.0.1:"), "loopback only"
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=60) as http,
            streamable_http_client(url, http_client=http) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            await ready.wait()
            while time.monotonic() < deadline:
                began = time.perf_counter()
                result = await session.call_tool("monitor_training", {"job_id": job_id})
                latencies.append(time.perf_counter() - began)
                errors += bool(result.is_error)

    ready = asyncio.Event()
    deadline = float("inf")
    tasks = [asyncio.create_task(client()) for _ in range(clients)]
    await asyncio.sleep(1.0)  # every session initialized
    began = time.monotonic()
    deadline = began + seconds
    ready.set()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - began
    return {
        "calls": len(latencies),
        "errors": errors,
        "calls_per_s": len(latencies) / elapsed,
        "p50_ms": pct(latencies, 50) * 1000,
        "p99_ms": pct(latencies, 99) * 1000,
    }


def row(name: str, r: dict) -> str:
    return (
        f"{name:<34} {r['calls_per_s']:8.1f} calls/s   p50 {r['p50_ms']:7.1f} ms   "
        f"p99 {r['p99_ms']:7.1f} ms   calls {r['calls']}  errors {r['errors']}"
    )


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


def run_bare(clients: int, seconds: float) -> dict:
    port = free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="asthub_site.settings")
    bare = subprocess.Popen(
        [sys.executable, __file__, "--serve-bare", str(port)], cwd=ROOT, env=env
    )
    try:
        time.sleep(4)
        return asyncio.run(load(f"http://127.0.0.1:{port}/mcp", "", 1, clients, seconds))
    finally:
        bare.send_signal(signal.SIGINT)
        bare.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--serve-bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare)
        return
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 300:
        parser.error("--clients 1..200, --seconds 1..300")

    # The bare server runs before and after the hub, and its mean is the control, so a
    # drift in the machine's speed during the run does not favour either side.
    bare_runs = [run_bare(args.clients, args.seconds)]
    with tempfile.TemporaryDirectory() as folder, running_hub(Path(folder)) as hub:
        made = manage(embedded_env(Path(folder)), "shell", "-c", MAKE_USER)
        token = json.loads(made.strip().splitlines()[-1])
        job_id = finished_job(hub["base_url"], token)
        hub_result = asyncio.run(
            load(f"{hub['base_url']}/mcp", token, job_id, args.clients, args.seconds)
        )
    bare_runs.append(run_bare(args.clients, args.seconds))
    bare_result = {key: sum(run[key] for run in bare_runs) / len(bare_runs) for key in bare_runs[0]}

    print(f"\nMCP monitor_training, {args.clients} clients, {args.seconds:.0f} s each, loopback")
    print(row("hub (auth + rate count + DB)", hub_result))
    for n, run in enumerate(bare_runs, start=1):
        print(row(f"bare MCPServer, run {n}", run))
    print(row("bare MCPServer (mean of runs)", bare_result))
    ratio = hub_result["calls_per_s"] / bare_result["calls_per_s"]
    print(f"{'ratio hub/bare (calls/s)':<34} {ratio:8.2f}")


if __name__ == "__main__":
    main()
