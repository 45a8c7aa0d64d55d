"""The engine as the hub and remote platforms run it: in a fresh interpreter."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time

from conftest import REPO_ROOT, read_metrics, run_bundled, subprocess_env, tiny_config

from jobs.training import METRIC_KEYS, METRIC_PREFIX, build_script, script_sha256


def test_engine_imports_without_django():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["django"] = None  # any `import django` now raises ImportError
        import jobs.training
        import jobs.training.__main__, jobs.training.bundle, jobs.training.loop
        leaked = [m for m in sys.modules if m.startswith(("django", "accounts", "billing",
                  "jobs.models", "jobs.services"))]
        assert leaked == ["django"], leaked
        print(jobs.training.ENGINE_VERSION)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1.1.0"


def test_bundled_script_runs_in_fresh_subprocess_and_writes_outputs(tmp_path):
    source = build_script(tiny_config(epochs=2))
    assert len(script_sha256(source)) == 64
    result = run_bundled(source, tmp_path)  # the script must not need the repository
    assert result.returncode == 0, result.stderr
    lines = [s for s in result.stdout.splitlines() if s.startswith(METRIC_PREFIX)]
    assert len(lines) == 2
    for line in lines:
        assert set(METRIC_KEYS) <= set(json.loads(line[len(METRIC_PREFIX) :]))
    assert [m["epoch"] for m in read_metrics(tmp_path / "out")] == [1, 2]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "completed" and summary["mode"] == "ast"
    for name in ("model.safetensors", "config.json", "ast_config.json"):
        assert (tmp_path / "out" / name).exists()


def _cli(args, tmp_path, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "jobs.training", *args],
        cwd=REPO_ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def test_cli_reports_user_errors_in_one_line_and_exits_2(tmp_path):
    config = tmp_path / "c.json"
    config.write_text(json.dumps(tiny_config(dataset="nope")))
    result = _cli(["--config", str(config), "--out", str(tmp_path / "o")], tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "unknown data set 'nope'" in result.stderr and "mnist1d" in result.stderr

    config.write_text(json.dumps({"epochz": 3}))
    result = _cli(["--config", str(config), "--out", str(tmp_path / "o")], tmp_path)
    assert result.returncode == 2 and "supported keys" in result.stderr

    config.write_text("{not json")
    result = _cli(["--config", str(config), "--out", str(tmp_path / "o")], tmp_path)
    assert result.returncode == 2 and "not valid JSON" in result.stderr


def test_sigterm_stops_at_a_safe_point_writes_summary_and_exits_143(tmp_path):
    config = tmp_path / "c.json"
    config.write_text(json.dumps(tiny_config(epochs=500)))
    out = tmp_path / "o"
    proc = subprocess.Popen(
        [sys.executable, "-m", "jobs.training", "--config", str(config), "--out", str(out)],
        cwd=REPO_ROOT,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()  # lines are flushed as written
    assert first.startswith(METRIC_PREFIX)
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "terminated"
    assert 1 <= summary["epochs_completed"] < 500
    assert (out / "model.safetensors").exists() and (out / "checkpoint.pt").exists()
