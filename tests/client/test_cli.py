"""The `asthub` command against a fake hub: output, exit codes, login."""

import importlib.metadata
import io
import json
import os
import stat
from pathlib import Path

import httpx
import pytest

import asthub_client
from asthub_client.cli import ProgressPrinter, main
from asthub_client.models import Job
from asthub_client.render import progress_line
from tests.client.fake_hub import DROP, TOKEN, URL, error, make_job, metric_point, sse


@pytest.fixture
def asthub(hub, retry):
    def run(*argv):
        return main(["--url", URL, "--token", TOKEN, *argv], transport=hub.transport(), retry=retry)

    return run


def _stream(job_id, final_status, reason=""):
    return [
        sse("status", {"job_id": job_id, "status": "running", "failure_reason": ""}),
        sse("metric", metric_point(1)),
        sse("status", {"job_id": job_id, "status": final_status, "failure_reason": reason}),
        sse("end", {"job_id": job_id, "status": final_status}),
    ]


def test_watch_exits_zero_when_job_succeeds(asthub, hub, capsys):
    hub.add_job(12, "running")
    hub.status_sequence[12] = [("running", ""), ("succeeded", "")]
    hub.event_scripts[12] = [_stream(12, "succeeded")]

    assert asthub("watch", "12") == 0
    assert "job 12 succeeded" in capsys.readouterr().out


def test_watch_exits_one_when_job_fails(asthub, hub, capsys):
    hub.add_job(12, "running")
    hub.status_sequence[12] = [("running", ""), ("failed", "CUDA out of memory")]
    hub.event_scripts[12] = [_stream(12, "failed", "CUDA out of memory")]

    assert asthub("watch", "12") == 1
    assert capsys.readouterr().err.strip() == "asthub: error: job 12 failed: CUDA out of memory"


def test_watch_exits_one_when_job_is_cancelled_after_the_stream_drops(asthub, hub):
    hub.add_job(12, "running")
    hub.status_sequence[12] = [("running", ""), ("cancelled", "")]
    hub.event_scripts[12] = [[DROP]] * 4  # the stream never works: polling decides

    assert asthub("watch", "12") == 1


def test_watch_prints_one_plain_line_per_change_when_not_a_tty(asthub, hub, capsys):
    hub.add_job(12, "running")
    hub.status_sequence[12] = [("running", ""), ("succeeded", "")]
    hub.event_scripts[12] = [_stream(12, "succeeded")]

    asthub("watch", "12")

    lines = capsys.readouterr().out.splitlines()
    assert "\r" not in "".join(lines)
    assert lines[0].startswith("job 12 running")
    assert "1/3" in lines[1] and "acc 81.0%" in lines[1] and "act 41.0%" in lines[1]
    assert "saved 30.0%" in lines[1] and "ETA 12s" in lines[1]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_rewrites_a_single_line_on_a_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = _Terminal()
    printer = ProgressPrinter(out)
    job = Job.from_dict(make_job(12, "running"))
    printer(job)
    job.progress.update(metric_point(2) | {"eta_minutes": 0.1})
    printer(job)
    printer.finish()

    text = out.getvalue()
    assert text.count("\n") == 1 and text.count("\r") == 2
    assert "[#############-------] 2/3" in text and "ETA 6s" in text


def test_start_sends_the_spec_with_ast_options_and_baseline(asthub, hub, capsys):
    code = asthub(
        "start", "--dataset", "digits", "--model", "mlp", "--epochs", "5",
        "--target-activation", "0.4", "--selection", "topk", "--seed", "3", "--with-baseline",
    )  # fmt: skip

    assert code == 0
    body = json.loads(hub.requests_to("POST", "/api/v1/jobs/")[0].content)
    # Only the options given: the hub's defaults apply to the rest.
    assert body == {
        "dataset": "digits", "model": "mlp", "epochs": 5, "seed": 3,
        "ast_config": {"target_activation_rate": 0.4, "selection": "topk"},
        "with_baseline": True,
    }  # fmt: skip
    assert "Started job 100" in capsys.readouterr().out


def test_start_with_watch_exits_with_the_job_outcome(asthub, hub):
    hub.next_id = 12
    hub.status_sequence[12] = [("queued", ""), ("failed", "diverged")]
    hub.event_scripts[12] = [_stream(12, "failed", "diverged")]

    assert asthub("start", "--watch") == 1


def test_auto_upload_without_repo_is_a_usage_error(asthub, hub, capsys):
    assert asthub("start", "--auto-upload-hf") == 2
    assert "--hf-repo" in capsys.readouterr().err
    assert hub.jobs == {}


@pytest.mark.parametrize(
    ("response", "exit_code"),
    [
        (error(400, "invalid", "epochs: too many"), 2),
        (error(401, "authentication_failed", "Invalid token."), 3),
        (error(403, "permission_denied", "Missing scope jobs:read."), 3),
        (error(404, "not_found", "No job 12."), 4),
        (error(409, "conflict", "Finished."), 2),
        (error(403, "quota_exceeded", "10 jobs a month."), 5),
        (error(429, "throttled", "Slow down.", headers={"Retry-After": "900"}), 5),
        (error(500, "server_error", "Boom."), 6),
        (httpx.Response(503, text="unavailable"), 6),
    ],
)
def test_errors_map_to_ci_exit_codes_with_one_line_on_stderr(
    asthub, hub, capsys, response, exit_code
):
    hub.queue("GET", "/api/v1/jobs/12/", response)

    assert asthub("job", "12") == exit_code
    captured = capsys.readouterr()
    assert captured.err.startswith("asthub: error: ")
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err


def test_unreachable_hub_exits_six(asthub, hub, capsys):
    hub.queue("GET", "/api/v1/me", *[httpx.ConnectError("refused")] * 4)

    assert asthub("whoami") == 6
    assert "cannot reach http://hub.test" in capsys.readouterr().err


def test_bad_arguments_exit_two():
    assert main(["job", "not-a-number"]) == 2
    assert main(["no-such-command"]) == 2


def test_jobs_prints_a_table_and_json(asthub, hub, capsys):
    hub.add_job(1, "succeeded", progress=metric_point(3))
    hub.add_job(2, "running")

    assert asthub("jobs") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["ID", "NAME", "STATUS"]
    assert lines[1].split()[:3] == ["2", "digits-2", "running"]

    assert asthub("jobs", "--status", "succeeded", "--json") == 0
    assert [job["id"] for job in json.loads(capsys.readouterr().out)] == [1]


def test_cancel_finished_job_exits_two(asthub, hub, capsys):
    hub.add_job(5, "succeeded")

    assert asthub("cancel", "5") == 2
    assert "already finished" in capsys.readouterr().err


def test_metrics_json_lists_points(asthub, hub, capsys):
    hub.add_job(4)
    hub.points[4] = [metric_point(1), metric_point(2)]

    assert asthub("metrics", "4", "--json") == 0
    assert [point["epoch"] for point in json.loads(capsys.readouterr().out)] == [1, 2]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("markdown", "| metric | AST | baseline |"), ("latex", "\\begin{tabular}{lll}")],
)
def test_compare_prints_the_requested_format(asthub, hub, capsys, fmt, expected):
    assert asthub("compare", "12", "13", "--format", fmt) == 0
    assert capsys.readouterr().out.strip() == expected
    body = json.loads(hub.requests_to("POST", "/api/v1/compare/")[0].content)
    assert body == {"ast_run_id": 12, "baseline_run_id": 13}


def test_compare_json_prints_the_whole_comparison(asthub, capsys):
    assert asthub("compare", "12", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["estimated"] is True


def test_card_writes_the_markdown_to_a_file(asthub, tmp_path):
    out = tmp_path / "README.md"

    assert asthub("card", "12", "--template", "competition", "--out", str(out)) == 0
    assert out.read_text() == "# Card (competition)\n"


def test_artifacts_download_saves_every_file(asthub, hub, tmp_path):
    hub.add_job(12, "succeeded")
    hub.artifacts[12] = [("model.safetensors", b"w", None), ("config.json", b"{}", None)]

    assert asthub("artifacts", "12", "--download", str(tmp_path / "out")) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "config.json",
        "model.safetensors",
    ]


def test_sweep_sends_the_grid_with_typed_values(asthub, hub, capsys):
    code = asthub(
        "sweep", "--grid", "target_activation_rate=0.2,0.4", "--grid", "entropy_weight=0.1,0.3",
        "--epochs", "2",
    )  # fmt: skip

    assert code == 0
    body = json.loads(hub.requests_to("POST", "/api/v1/sweeps/")[0].content)
    assert body["grid"] == {"target_activation_rate": [0.2, 0.4], "entropy_weight": [0.1, 0.3]}
    assert body["spec"]["epochs"] == 2
    assert "Started sweep 7: jobs 201, 202, 203, 204" in capsys.readouterr().out


def test_sweep_rejects_a_malformed_grid(asthub, hub, capsys):
    assert asthub("sweep", "--grid", "entropy_weight") == 2
    assert "name=value1,value2" in capsys.readouterr().err


def test_login_verifies_the_token_then_saves_it_owner_only(hub, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))

    assert main(["login", "--url", URL], transport=hub.transport()) == 0

    path = os.environ["ASTHUB_CONFIG"]
    assert json.loads(Path(path).read_text()) == {"url": URL, "token": TOKEN}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "alice@example.com" in capsys.readouterr().out
    # Later commands find the saved settings on their own.
    assert main(["whoami"], transport=hub.transport()) == 0


def test_login_with_a_rejected_token_saves_nothing(hub):
    assert main(["login", "--url", URL, "--token", "asthub_wrong"], transport=hub.transport()) == 3
    assert not os.path.exists(os.environ["ASTHUB_CONFIG"])


def test_version_prints_the_installed_version_without_touching_the_network(hub, capsys):
    assert main(["--version"], transport=hub.transport()) == 0

    assert capsys.readouterr().out == f"asthub {importlib.metadata.version('asthub')}\n"
    assert hub.requests == []


def test_version_falls_back_to_the_package_version_when_not_installed(monkeypatch, capsys):
    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    monkeypatch.setattr(asthub_client, "__version__", "9.8.7", raising=False)

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == "asthub 9.8.7\n"


def test_without_any_configuration_a_command_points_at_login_before_any_request(hub, capsys):
    assert main(["jobs"], transport=hub.transport()) == 2

    err = capsys.readouterr().err
    assert err == (
        "asthub: error: no hub is configured: run `asthub login --url URL` "
        "(or set ASTHUB_URL and ASTHUB_TOKEN)\n"
    )
    assert "cannot reach" not in err
    assert hub.requests == []


def test_a_configured_url_without_a_token_points_at_login(hub, monkeypatch, capsys):
    monkeypatch.setenv("ASTHUB_URL", URL)

    assert main(["whoami"], transport=hub.transport()) == 2

    assert "no API token for http://hub.test: run `asthub login`" in capsys.readouterr().err
    assert hub.requests == []


def test_settings_from_the_environment_still_reach_the_hub(hub, monkeypatch, capsys):
    monkeypatch.setenv("ASTHUB_URL", URL)
    monkeypatch.setenv("ASTHUB_TOKEN", TOKEN)

    assert main(["whoami"], transport=hub.transport()) == 0
    assert "alice@example.com on http://hub.test" in capsys.readouterr().out


GRID = {"target_activation_rate": [0.2, 0.4], "entropy_weight": [0.1]}


def _sweep_run(job_id, rate, status, accuracy=None, **overrides):
    progress = metric_point(3, val_accuracy=accuracy) if accuracy is not None else None
    return {
        "id": job_id,
        "status": status,
        "ast_config": {"target_activation_rate": rate, "entropy_weight": 0.1},
        "progress": progress,
        **overrides,
    }


def test_watch_sweep_follows_every_run_to_the_end_then_ranks_them(asthub, hub, sleeps, capsys):
    hub.add_sweep(
        7, GRID, [_sweep_run(201, 0.2, "running", 0.81), _sweep_run(202, 0.4, "queued", 0.9)]
    )
    hub.status_sequence[201] = [("running", ""), ("running", ""), ("succeeded", "")]
    hub.status_sequence[202] = [("queued", ""), ("running", ""), ("succeeded", "")]

    assert asthub("watch", "--sweep", "7") == 0

    out = capsys.readouterr().out
    lines = out.splitlines()
    low = "entropy_weight=0.1 target_activation_rate=0.2: job 201"
    high = "entropy_weight=0.1 target_activation_rate=0.4: job 202"
    # Every run, every change: status, epoch and accuracy, until both ended.
    assert [line.split("  ")[0] for line in lines[:4]] == [
        f"{low} running", f"{high} queued", f"{high} running", f"{low} succeeded",
    ]  # fmt: skip
    assert "3/3" in lines[0] and "acc 81.0%" in lines[0]
    assert lines[4].startswith(f"{high} succeeded") and "acc 90.0%" in lines[4]
    assert sleeps == [2.0, 2.0]  # polled every couple of seconds, stopped when all ended
    summary = out[out.index("Sweep 7 finished:") :].splitlines()
    assert summary[1].split() == [
        "RANK", "JOB", "ENTROPY_WEIGHT", "TARGET_ACTIVATION_RATE", "STATUS", "ACC", "SAVED",
    ]  # fmt: skip
    assert summary[2].split() == ["1", "202", "0.1", "0.4", "succeeded", "90.0%", "30.0%"]
    assert summary[3].split() == ["2", "201", "0.1", "0.2", "succeeded", "81.0%", "30.0%"]
    assert summary[4] == "Best: job 202 (entropy_weight=0.1 target_activation_rate=0.4)"


def test_watch_sweep_exits_one_when_a_run_fails_and_names_it(asthub, hub, capsys):
    hub.add_sweep(
        7,
        GRID,
        [
            _sweep_run(201, 0.2, "succeeded", 0.81),
            _sweep_run(202, 0.4, "failed", failure_reason="diverged"),
        ],
    )

    assert asthub("watch", "--sweep", "7") == 1

    captured = capsys.readouterr()
    assert "target_activation_rate=0.4: job 202 failed" in captured.out
    assert captured.out.splitlines()[-1] == (
        "Best: job 201 (entropy_weight=0.1 target_activation_rate=0.2)"
    )
    # The unranked run is listed after the ranked one.
    assert captured.out.splitlines()[-2].split()[:2] == ["-", "202"]
    assert captured.err == "asthub: error: sweep 7: job 202 failed: diverged\n"


def test_watch_sweep_exits_one_when_a_run_is_cancelled(asthub, hub, capsys):
    hub.add_sweep(7, GRID, [_sweep_run(201, 0.2, "cancelled"), _sweep_run(202, 0.4, "cancelled")])

    assert asthub("watch", "--sweep", "7") == 1
    captured = capsys.readouterr()
    assert "No run succeeded, so none is ranked." in captured.out
    assert captured.err.count("cancelled") == 2


def test_watch_an_unknown_sweep_exits_four(asthub, capsys):
    assert asthub("watch", "--sweep", "99") == 4
    assert "No sweep 99." in capsys.readouterr().err


def test_watch_takes_a_job_or_a_sweep_not_both(asthub, hub):
    assert asthub("watch", "12", "--sweep", "7") == 2
    assert asthub("watch") == 2
    assert hub.requests == []


def _start_pair_with(hub, ast_status, baseline_status, reason=""):
    """`asthub start --with-baseline` will start job 100 (AST) and 1100 (its baseline)."""
    for job_id, final in ((100, ast_status), (1100, baseline_status)):
        hub.status_sequence[job_id] = [
            ("queued", ""),
            (final, reason if final != "succeeded" else ""),
        ]
        hub.event_scripts[job_id] = [_stream(job_id, final, reason)]


def test_start_watch_with_baseline_follows_both_runs(asthub, hub, capsys):
    _start_pair_with(hub, "succeeded", "succeeded")

    assert asthub("start", "--with-baseline", "--watch") == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "Started job 100 and its baseline job 1100; watching both "
        "(Ctrl-C stops watching, not the jobs)"
    )
    ast_lines = [line for line in lines if line.startswith("ast: job 100 ")]
    baseline_lines = [line for line in lines if line.startswith("baseline: job 1100 ")]
    assert len(ast_lines) + len(baseline_lines) == len(lines) - 1
    for followed in (ast_lines, baseline_lines):
        assert any("1/3" in line and "acc 81.0%" in line for line in followed)
        assert " succeeded " in followed[-1]


def test_start_watch_with_baseline_exits_one_when_the_baseline_fails(asthub, hub, capsys):
    _start_pair_with(hub, "succeeded", "failed", "diverged")

    assert asthub("start", "--with-baseline", "--watch") == 1

    captured = capsys.readouterr()
    assert any(line.startswith("ast: job 100 succeeded") for line in captured.out.splitlines())
    assert captured.err == "asthub: error: baseline job 1100 failed: diverged\n"


def test_start_watch_with_baseline_json_prints_both_jobs(asthub, hub, capsys):
    _start_pair_with(hub, "succeeded", "succeeded")

    assert asthub("start", "--with-baseline", "--watch", "--json") == 0

    jobs = json.loads(capsys.readouterr().out)
    assert [(job["id"], job["is_baseline"], job["status"]) for job in jobs] == [
        (100, False, "succeeded"),
        (1100, True, "succeeded"),
    ]


def test_progress_keeps_one_row_per_job_on_a_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = _Terminal()
    printer = ProgressPrinter(out)
    ast_running, ast_done, baseline = (
        Job.from_dict(make_job(100, "running")),
        Job.from_dict(make_job(100, "succeeded")),
        Job.from_dict(make_job(1100, "running")),
    )
    printer.show("ast", ast_running)
    printer.show("baseline", baseline)  # a second row, below the first
    printer.show("ast", ast_done)  # back up one row, both rows redrawn
    printer.finish()

    screen = out.getvalue()
    assert screen.count("\x1b[1A") == 1
    last_frame = screen.split("\x1b[1A")[1]
    assert [row.strip() for row in last_frame.split("\n") if row.strip()] == [
        f"ast: {progress_line(ast_done)}",
        f"baseline: {progress_line(baseline)}",
    ]


def test_the_packages_own_version_is_the_distributions():
    import tomllib
    from pathlib import Path

    import asthub_client

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert asthub_client.__version__ == pyproject["project"]["version"]
