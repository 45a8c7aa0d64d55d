"""`run_hub` keeps its children running: a child that dies is restarted with backoff while
`/healthz` says `degraded`, a crash-looping child leaves the others alone, and SIGTERM
stops the whole tree. The live tests share one hub; the SIGTERM test stops it, so it
comes last in this file."""

import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest

from asthub_site.supervision import (
    Backoff,
    Supervisor,
    describe_exit,
    problems_from_status,
    status_path,
    write_json_atomically,
)
from tests.live_hub import running_hub

PYTHON = sys.executable


def _wait_for(condition, timeout: float, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout} s: {condition}")


# -- the policy, as plain functions ------------------------------------------------------


def test_backoff_doubles_from_one_second_up_to_thirty():
    backoff = Backoff()
    assert [backoff.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.delay(10_000) == 30


def test_backoff_starts_over_after_a_child_stayed_up_long_enough():
    backoff = Backoff(stable_after=60)
    assert backoff.failures_after_exit(previous_failures=4, uptime=5) == 5
    assert backoff.failures_after_exit(previous_failures=4, uptime=61) == 1


def test_exit_description_names_the_killing_signal():
    assert describe_exit(3) == "exited with code 3"
    assert describe_exit(-9) == "exited with code -9, killed by SIGKILL"


def _status(children: list[dict], updated_at: float) -> dict:
    return {"supervisor_pid": 1, "updated_at": updated_at, "children": children}


def test_status_file_reports_a_down_child_with_its_exit_and_restart_delay(tmp_path):
    path = status_path(tmp_path)
    now = time.time()
    up = {"name": "web", "pid": 10, "state": "up", "last_exit": None, "restarts": 0}
    down = {"name": "trainer", "pid": 11, "state": "down", "last_exit": -9, "restarts": 2}
    write_json_atomically(path, _status([up, {**down, "restart_at": now + 2}], now))
    assert problems_from_status(path, now=now) == [
        "trainer is down (exited with code -9, killed by SIGKILL), restarting in 2 s"
    ]
    write_json_atomically(path, _status([up], now))
    assert problems_from_status(path, now=now) == []


def test_stale_or_missing_status_file_reports_nothing(tmp_path):
    path = status_path(tmp_path)
    assert problems_from_status(path) == []
    down = {"name": "beat", "pid": 12, "state": "down", "last_exit": 1, "restart_at": None}
    write_json_atomically(path, _status([down], updated_at=time.time() - 3600))
    assert problems_from_status(path) == []


@pytest.mark.django_db
def test_healthz_is_200_degraded_naming_a_down_child(client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    down = {"name": "worker", "pid": 12, "state": "down", "last_exit": 1, "restart_at": None}
    write_json_atomically(status_path(tmp_path), _status([down], time.time()))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "problems": ["worker is down (exited with code 1)"],
        "database": "ok",
        "broker": "ok",
    }


# -- the supervisor with real (tiny) processes -------------------------------------------


def test_failing_child_is_restarted_with_growing_delays_while_the_others_stay_up(tmp_path):
    lines: list[str] = []
    supervisor = Supervisor(
        commands={
            "steady": [PYTHON, "-c", "import time; time.sleep(60)"],
            "failing": [PYTHON, "-c", "import sys; sys.exit(3)"],
        },
        status_file=status_path(tmp_path),
        backoff=Backoff(initial=0.05, maximum=0.2, stable_after=30),
        log=lines.append,
    )
    supervisor.start_all()
    steady_pid = supervisor.children["steady"].process.pid
    try:

        def restarted_four_times():
            supervisor.tick()
            return supervisor.children["failing"].restarts >= 4

        _wait_for(restarted_four_times, timeout=20, interval=0.01)
        exits = [line for line in lines if "exited with code 3" in line]
        delays = [line.rsplit("restarting in ", 1)[1].split(" s")[0] for line in exits]
        assert delays[:4] == ["0.05", "0.1", "0.2", "0.2"]
        steady = supervisor.children["steady"]
        assert steady.up and steady.process.pid == steady_pid and steady.restarts == 0
        state = json.loads(status_path(tmp_path).read_text())
        assert {c["name"]: c["restarts"] for c in state["children"]}["failing"] >= 3
    finally:
        supervisor.stop(hard=[], stop_engines=lambda: None, grace_seconds=5)
    assert supervisor.children["steady"].process.returncode == -signal.SIGTERM
    assert not status_path(tmp_path).exists()


def test_child_that_cannot_be_started_is_retried_while_the_others_run(tmp_path):
    lines: list[str] = []
    supervisor = Supervisor(
        commands={
            "steady": [PYTHON, "-c", "import time; time.sleep(60)"],
            "missing": [str(tmp_path / "no-such-program")],
        },
        status_file=status_path(tmp_path),
        backoff=Backoff(initial=0.05, maximum=1, stable_after=30),
        log=lines.append,
    )
    supervisor.start_all()
    try:
        assert problems_from_status(status_path(tmp_path))[0].startswith("missing is down")

        def retried_twice():
            supervisor.tick()
            return supervisor.children["missing"].restarts >= 2

        _wait_for(retried_twice, timeout=10, interval=0.01)
        assert [line.split("; ")[1] for line in lines] == [
            "retrying in 0.05 s",
            "retrying in 0.1 s",
            "retrying in 0.2 s",
        ]
        assert supervisor.children["steady"].up
    finally:
        supervisor.stop(hard=[], stop_engines=lambda: None, grace_seconds=5)
    assert supervisor.children["steady"].process.returncode == -signal.SIGTERM


def test_stop_kills_the_hard_child_first_then_stops_engines_then_terminates_the_rest(tmp_path):
    ready = tmp_path / "ready"
    stubborn = (
        "import pathlib, signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "pathlib.Path(sys.argv[1]).touch(); time.sleep(60)"
    )
    supervisor = Supervisor(
        commands={
            "trainer": [PYTHON, "-c", stubborn, str(ready / "trainer")],
            "web": [PYTHON, "-c", "import time; time.sleep(60)"],
            "beat": [PYTHON, "-c", stubborn, str(ready / "beat")],
        },
        status_file=status_path(tmp_path),
        log=lambda line: None,
    )
    ready.mkdir()
    supervisor.start_all()
    _wait_for(lambda: (ready / "trainer").exists() and (ready / "beat").exists(), timeout=20)
    children = {name: child.process for name, child in supervisor.children.items()}
    seen_by_engine_stop = {}

    def stop_engines():
        _wait_for(lambda: children["trainer"].poll() is not None, timeout=5)
        seen_by_engine_stop.update(web_running=children["web"].poll() is None)

    began = time.monotonic()
    supervisor.stop(hard=["trainer"], stop_engines=stop_engines, grace_seconds=1)
    assert seen_by_engine_stop == {"web_running": True}
    assert children["trainer"].returncode == -signal.SIGKILL
    assert children["web"].returncode == -signal.SIGTERM
    assert children["beat"].returncode == -signal.SIGKILL  # ignored SIGTERM past the grace
    assert time.monotonic() - began < 10


# -- the real hub ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("hub")
    with running_hub(var_dir) as hub:
        hub["var_dir"] = var_dir
        yield hub


def _children(hub) -> dict[str, dict]:
    state = json.loads(status_path(hub["var_dir"]).read_text())
    return {child["name"]: child for child in state["children"]}


def _health(hub) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"{hub['base_url']}/healthz", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _gone(process: psutil.Process) -> bool:
    # A zombie still counts as there: an orphan that nobody reaped.
    return not process.is_running()


@pytest.mark.slow
def test_killed_control_worker_is_restarted_while_healthz_says_degraded(hub):
    worker = _children(hub)["worker"]
    assert worker["state"] == "up" and worker["restarts"] == 0
    pool = psutil.Process(worker["pid"]).children(recursive=True)
    os.kill(worker["pid"], signal.SIGKILL)

    answers = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, body = _health(hub)  # raises if the web stopped answering
        answers.append((status, body["status"], body.get("problems")))
        if body["status"] == "ok" and any(a[1] == "degraded" for a in answers):
            break
        time.sleep(0.02)
    degraded = [a for a in answers if a[1] == "degraded"]
    assert degraded, answers
    assert all(status == 200 for status, _, _ in answers), answers
    assert degraded[0][2][0].startswith("worker is down (exited with code -9, killed by SIGKILL)")
    assert answers[-1][1] == "ok"

    restarted = _children(hub)["worker"]
    assert restarted["state"] == "up" and restarted["restarts"] == 1
    assert restarted["pid"] != worker["pid"] and restarted["last_exit"] == -9
    log = hub["log"].read_text()
    assert f"worker (pid {worker['pid']}) exited with code -9, killed by SIGKILL" in log
    assert f"restarted worker (pid {restarted['pid']})" in log
    # The dead worker's pool went with it, and was reaped rather than left as zombies.
    _wait_for(lambda: all(_gone(p) for p in pool), timeout=10)


@pytest.mark.slow
def test_crash_looping_beat_leaves_the_other_children_running(hub):
    before = _children(hub)
    others = {name: child["pid"] for name, child in before.items() if name != "beat"}
    restarts = before["beat"]["restarts"]
    for kill in range(3):
        beat = _wait_for(
            lambda n=restarts + kill: (
                (c := _children(hub)["beat"])["state"] == "up" and c["restarts"] == n and c
            ),
            timeout=30,
        )
        os.kill(beat["pid"], signal.SIGKILL)
        assert _health(hub)[0] == 200
    _wait_for(lambda: _children(hub)["beat"]["restarts"] == restarts + 3, timeout=30)

    after = _children(hub)
    assert {name: after[name]["pid"] for name in others} == others
    assert all(after[name]["state"] == "up" for name in others)
    log = hub["log"].read_text()
    for delay in ("1 s", "2 s", "4 s"):
        assert f"killed by SIGKILL; restarting in {delay}" in log
    assert _health(hub) == (200, {"status": "ok", "database": "ok", "broker": "ok"})


@pytest.mark.slow
def test_sigterm_stops_the_hub_and_every_process_it_started_within_30_seconds(hub):
    process = hub["process"]
    tree = psutil.Process(process.pid).children(recursive=True)
    assert {child["pid"] for child in _children(hub).values()} <= {p.pid for p in tree}
    began = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    assert time.monotonic() - began < 30
    _wait_for(lambda: all(_gone(p) for p in tree), timeout=5)
    assert not status_path(hub["var_dir"]).exists()
    log = hub["log"].read_text()
    assert "AST Training Hub stopped." in log
    assert "training engine" in log  # stopped, or said why not (not merged yet)
