"""SIGTERM the whole hub mid-run, then start it again: the run resumes from its
checkpoint to success, every epoch stored once, and no engine outlives the hub."""

import re

import pytest

from tests.faults.hub_tools import (
    FAST_RECOVERY,
    HubClient,
    demo_on_plan,
    engine_of,
    engine_processes,
    wait_no_engines,
)
from tests.live_hub import running_hub

pytestmark = pytest.mark.slow


def test_hub_stopped_mid_run_stops_its_engines_and_resumes_the_run_on_start(backend, tmp_path):
    extra = {"WORKERS": "2", "JOB_HEARTBEAT_TIMEOUT_SECONDS": "20", **FAST_RECOVERY, **backend}
    with running_hub(tmp_path, **extra) as first:
        demo_on_plan(tmp_path, "pro", **backend)
        token = re.search(r"API token\s+: (asthub_\S+)", first["banner"]).group(1)
        client = HubClient(first["base_url"], token)
        job_id = client.start_job(epochs=20)
        client.wait_for_epoch(job_id, 2)
        engine = engine_of(tmp_path, job_id)
        first["process"].terminate()
        assert first["process"].wait(timeout=30) == 0
        assert engine_processes(tmp_path) == []
        assert not engine.is_running()
    with running_hub(tmp_path, **extra) as second:
        token = re.search(r"API token\s+: (asthub_\S+)", second["banner"]).group(1)
        client = HubClient(second["base_url"], token)
        job = client.wait_until_ended(job_id, timeout=240)
        assert job["status"] == "succeeded", job
        assert client.epochs(job_id) == list(range(1, 21))
    assert wait_no_engines(tmp_path) == []
