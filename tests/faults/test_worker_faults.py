"""Faults injected into a live hub with real processes: a worker, an engine or the control
worker killed with SIGKILL mid-run, and last the whole hub stopped with SIGTERM mid-run
and started again. After each, the run ends (resumed to success), every epoch's metric
row is stored exactly once, no engine is left over, and /healthz answered throughout
(but while the whole hub restarts). Runs on the embedded default and on PostgreSQL +
Redis. The tests share one hub per backend, in file order."""

import re
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest

from tests.faults.hub_tools import (
    SHORT_RUN,
    HealthWatcher,
    HubClient,
    engine_of,
    engine_processes,
    hub_child,
    wait_no_engines,
)
from tests.live_hub import running_hub

pytestmark = pytest.mark.slow

ALL_EPOCHS = list(range(1, SHORT_RUN["epochs"] + 1))


def _assert_clean_success(hub, job_id: int, health: HealthWatcher) -> None:
    client = hub["client"]
    job = client.wait_until_ended(job_id)
    assert job["status"] == "succeeded", job
    assert client.epochs(job_id) == ALL_EPOCHS  # none lost, none twice
    assert wait_no_engines(hub["var_dir"]) == []
    assert health.served > 0 and health.unanswered == []


def test_first_requests_arriving_together_all_start_their_jobs(hub):
    """First in file: the web process has served no job yet (the soak found 500s here)."""
    client = hub["client"]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(lambda _: client.call("POST", "/api/v1/jobs/", SHORT_RUN | {"epochs": 1}),
                     range(4))
        )  # fmt: skip
    assert [status for status, _ in answers] == [201] * 4, answers
    for _, job in answers:
        assert client.wait_until_ended(job["id"])["status"] == "succeeded"
    assert wait_no_engines(hub["var_dir"]) == []


def test_training_worker_killed_mid_run_is_restarted_and_the_run_resumes(hub):
    client = hub["client"]
    with HealthWatcher(hub["base_url"]) as health:
        job_id = client.start_job()
        client.wait_for_epoch(job_id, 2)
        engine = engine_of(hub["var_dir"], job_id)
        trainer = hub_child(hub["process"].pid, "trainer@")
        assert engine.ppid() == trainer.pid  # the worker itself supervises (threads pool)
        trainer.kill()
        _assert_clean_success(hub, job_id, health)
    assert hub_child(hub["process"].pid, "trainer@").pid != trainer.pid
    # The orphaned engine was stopped before the run resumed: never two engines at once.
    assert not engine.is_running() or engine.status() == psutil.STATUS_ZOMBIE


def test_engine_killed_mid_run_is_resumed_from_its_checkpoint(hub):
    client = hub["client"]
    with HealthWatcher(hub["base_url"]) as health:
        job_id = client.start_job()
        client.wait_for_epoch(job_id, 2)
        engine_of(hub["var_dir"], job_id).kill()
        _assert_clean_success(hub, job_id, health)


def test_control_worker_killed_is_restarted_and_no_launch_is_lost(hub):
    client = hub["client"]
    with HealthWatcher(hub["base_url"]) as health:
        control = hub_child(hub["process"].pid, "control@")
        control.kill()
        # Sent while the control worker is down: the launch waits in the broker.
        job_id = client.start_job()
        _assert_clean_success(hub, job_id, health)
    restarted = hub_child(hub["process"].pid, "control@")
    assert restarted.pid != control.pid
    assert "control" in hub["log"].read_text() and "restart" in hub["log"].read_text().lower()


def test_hub_stopped_mid_run_stops_its_engines_and_resumes_the_run_on_start(hub):
    """Last: it stops the shared hub, then starts a new one on the same data."""
    client, var_dir = hub["client"], hub["var_dir"]
    job_id = client.start_job()
    client.wait_for_epoch(job_id, 2)
    engine = engine_of(var_dir, job_id)
    hub["process"].terminate()
    assert hub["process"].wait(timeout=30) == 0
    assert engine_processes(var_dir) == []
    assert not engine.is_running() or engine.status() == psutil.STATUS_ZOMBIE
    with running_hub(var_dir, **hub["env"]) as second:
        token = re.search(r"API token\s+: (asthub_\S+)", second["banner"]).group(1)
        client = HubClient(second["base_url"], token)
        job = client.wait_until_ended(job_id, timeout=240)
        assert job["status"] == "succeeded", job
        assert client.epochs(job_id) == ALL_EPOCHS
    assert wait_no_engines(var_dir) == []
