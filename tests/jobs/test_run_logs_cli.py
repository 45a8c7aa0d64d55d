"""`asthub logs` and the SDK's logs()/follow_logs() against this hub, in process."""

import pytest

from asthub_client import Client, RetryPolicy
from asthub_client.cli import EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, main
from jobs import services
from jobs.models import JobStatus, TrainingJob
from jobs.platforms.local.folders import LOG_FILE, job_dir
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db
HUB_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, monkeypatch):
    settings.LOCAL_JOBS_DIR = tmp_path / "jobs"
    monkeypatch.setenv("ASTHUB_CONFIG", str(tmp_path / "asthub" / "config.json"))
    monkeypatch.delenv("ASTHUB_URL", raising=False)
    monkeypatch.delenv("ASTHUB_TOKEN", raising=False)


@pytest.fixture
def running_job(alice):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    job_dir(job.pk).mkdir(parents=True)
    return job


def _append(job, text: str) -> None:
    with open(job_dir(job.pk) / LOG_FILE, "a") as handle:
        handle.write(text)


def test_logs_prints_the_last_lines(alice, running_job, token_for, hub_transport, capsys):
    _append(running_job, "".join(f"step {i}\n" for i in range(10)))
    argv = ["--url", HUB_URL, "--token", token_for(alice), "logs", str(running_job.pk)]
    assert main([*argv, "--tail", "3"], transport=hub_transport) == EXIT_OK
    assert capsys.readouterr().out == "step 7\nstep 8\nstep 9\n"


def test_follow_prints_each_new_line_once_and_exits_zero_when_the_run_ends(
    alice, running_job, token_for, hub_transport, capsys
):
    _append(running_job, "loading digits\n")
    # The run moves on while the CLI waits between polls.
    script = [
        lambda: _append(running_job, "epoch 1\nepoch 2"),
        lambda: _append(running_job, " done\n"),
        lambda: (
            _append(running_job, "saved"),
            TrainingJob.objects.filter(pk=running_job.pk).update(status=JobStatus.SUCCEEDED),
        ),
    ]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if script:
            script.pop(0)()

    argv = ["--url", HUB_URL, "--token", token_for(alice), "logs", str(running_job.pk)]
    code = main([*argv, "--follow"], transport=hub_transport, retry=RetryPolicy(sleep=sleep))
    assert code == EXIT_OK
    assert capsys.readouterr().out == "loading digits\nepoch 1\nepoch 2 done\nsaved\n"
    assert waits == [2.0, 2.0, 2.0]


def test_ctrl_c_while_following_exits_130_without_a_traceback(
    alice, running_job, token_for, hub_transport, capsys
):
    _append(running_job, "epoch 1\n")

    def interrupted(seconds):
        raise KeyboardInterrupt

    argv = ["--url", HUB_URL, "--token", token_for(alice), "logs", str(running_job.pk)]
    code = main([*argv, "--follow"], transport=hub_transport, retry=RetryPolicy(sleep=interrupted))
    out, err = capsys.readouterr()
    assert code == 130 and out == "epoch 1\n" and "Traceback" not in err


def test_unknown_or_foreign_job_and_no_login_exit_non_zero_with_a_message(
    alice, bob, running_job, token_for, hub_transport, capsys
):
    as_bob = ["--url", HUB_URL, "--token", token_for(bob)]
    assert main([*as_bob, "logs", str(running_job.pk)], transport=hub_transport) == EXIT_NOT_FOUND
    assert f"No training job {running_job.pk}" in capsys.readouterr().err

    assert main(["logs", str(running_job.pk)], transport=hub_transport) == EXIT_USAGE
    assert "asthub login" in capsys.readouterr().err


def test_the_sdk_pages_with_the_cursor(alice, running_job, token_for, hub_transport):
    _append(running_job, "a\nb\nc\n")
    with Client(url=HUB_URL, token=token_for(alice), transport=hub_transport) as hub:
        first = hub.logs(running_job.pk, tail=2)
        assert first["lines"] == ["b", "c"] and first["source"] == "engine"
        _append(running_job, "d\n")
        assert hub.logs(running_job.pk, after=first["cursor"])["lines"] == ["d"]
