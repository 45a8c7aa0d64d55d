"""Jobs on the real hub: uvicorn, the control and training workers and beat, driven over
REST, server-sent events and the `asthub` CLI, as a user would."""

import json
import os
import re
import subprocess
import sys
import time
from urllib.parse import urlparse, urlunparse

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import browser, signed_in_page  # noqa: F401  (fixture)
from tests.live_hub import ROOT, running_hub

pytestmark = pytest.mark.slow


def _hub_redis_url() -> dict[str, str]:
    """With Redis available, the live hub uses it (broker and event fan-out) on its own
    database, apart from the one the test process flushes."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return {}
    return {"REDIS_URL": urlunparse(urlparse(url)._replace(path="/14"))}


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with running_hub(tmp_path_factory.mktemp("hub"), **_hub_redis_url()) as running:
        token = re.search(r"API token\s+: (asthub_\S+)", running["banner"]).group(1)
        client = httpx.Client(
            base_url=running["base_url"],
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        yield running | {"token": token, "client": client}
        client.close()


def _events(hub, job_id: int, timeout: float = 240) -> list[tuple[str, dict, float]]:
    """Read the job's event stream to its end: (kind, data, arrival time)."""
    events = []
    kind = None
    deadline = time.monotonic() + timeout
    with hub["client"].stream("GET", f"/api/v1/jobs/{job_id}/events", timeout=60) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        for line in stream.iter_lines():
            assert time.monotonic() < deadline, "stream did not end in time"
            if line.startswith("event: "):
                kind = line[len("event: ") :]
            elif line.startswith("data: "):
                events.append((kind, json.loads(line[len("data: ") :]), time.time()))
                if kind == "end":
                    break
    return events


def test_job_streams_its_status_and_every_epoch_then_ends(hub):
    api = hub["client"]
    created = api.post("/api/v1/jobs/", json={"dataset": "digits", "model": "mlp", "epochs": 3})
    assert created.status_code == 201, created.text
    job_id = created.json()["id"]
    events = _events(hub, job_id)
    statuses = [data["status"] for kind, data, _ in events if kind == "status"]
    epochs = [data["epoch"] for kind, data, _ in events if kind == "metric"]
    assert statuses[-1] == "succeeded" and "running" in statuses
    assert epochs == [1, 2, 3]
    assert events[-1][0] == "end"
    job = api.get(f"/api/v1/jobs/{job_id}/").json()
    assert job["status"] == "succeeded" and job["progress"]["epoch"] == 3
    artifacts = api.get(f"/api/v1/jobs/{job_id}/artifacts/").json()
    weights = next(a for a in artifacts if a["name"] == "model.safetensors")
    download = api.get(weights["url"])
    assert download.status_code == 200 and len(download.content) == weights["size"]
    replay = _events(hub, job_id)  # a finished job replays everything, then ends
    assert [d["epoch"] for k, d, _ in replay if k == "metric"] == [1, 2, 3]


def test_cancelling_a_running_job_stops_its_engine(hub):
    api = hub["client"]
    job_id = api.post(
        "/api/v1/jobs/", json={"dataset": "mnist1d", "model": "cnn", "epochs": 200}
    ).json()["id"]
    deadline = time.monotonic() + 120
    while api.get(f"/api/v1/jobs/{job_id}/").json()["progress"] is None:
        assert time.monotonic() < deadline, "no epoch finished in time"
        time.sleep(0.5)
    cancelled = api.post(f"/api/v1/jobs/{job_id}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    events = _events(hub, job_id, timeout=60)
    assert events[-1][1]["status"] == "cancelled"
    engine_log = hub["log"].parent / "jobs" / str(job_id) / "engine.log"
    deadline = time.monotonic() + 30
    while "terminated" not in engine_log.read_text():
        assert time.monotonic() < deadline, "the engine never saw SIGTERM"
        time.sleep(0.5)
    assert api.post(f"/api/v1/jobs/{job_id}/cancel/").status_code == 409


def test_cli_starts_watches_and_compares_a_job(hub):
    env = {**os.environ, "ASTHUB_URL": hub["base_url"], "ASTHUB_TOKEN": hub["token"]}
    env["ASTHUB_CONFIG"] = str(hub["log"].parent / "cli-config.json")

    def asthub(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "asthub_client.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    started = asthub("start", "--dataset", "digits", "--epochs", "2", "--watch", "--json")
    assert started.returncode == 0, started.stderr
    jobs = asthub("jobs", "--json")
    job_id = json.loads(jobs.stdout)[0]["id"]
    compared = asthub("compare", str(job_id), "--format", "latex")
    assert compared.returncode == 0, compared.stderr
    assert "\\begin{tabular}" in compared.stdout
    missing = asthub("job", "999999")
    assert missing.returncode == 4 and "asthub: error:" in missing.stderr
    bad = asthub("start", "--dataset", "csv:/etc/passwd")
    assert bad.returncode == 2 and "names a path" in bad.stderr


def test_job_page_charts_update_live_in_a_browser(hub, browser, tmp_path):  # noqa: F811
    password = re.search(r"password\s+: (\S+)", hub["banner"]).group(1)
    page = signed_in_page(browser, hub["base_url"], "demo@asthub.local", password, width=1200)
    page.goto(hub["base_url"] + "/portal/jobs/new/")
    page.fill("#id_epochs", "4")
    page.click("button:has-text('Start training')")
    page.wait_for_selector("#job")
    # The figures and the status badge change without a reload, from the event stream.
    # (A locator wait: a string predicate would be an eval, which the page's CSP forbids.)
    expect(page.locator("#job-status")).to_have_text("succeeded", timeout=180_000)
    assert page.inner_text("#fig-epoch") == "4 / 4"
    assert float(page.inner_text("#fig-accuracy")) > 0.5
    # The page reloads itself once the run ends (for artifacts and cost); navigating
    # away before that reload lands races it.
    page.wait_for_selector("#job[data-status='succeeded']", timeout=30_000)
    page.wait_for_load_state("load")
    page.screenshot(path=str(tmp_path / "job.png"), full_page=True)
    page.goto(page.url.replace("/portal/jobs/", "/portal/compare/?ast_run_id=").rstrip("/"))
    assert "\\begin{tabular}" in page.content()
