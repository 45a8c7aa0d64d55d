"""A failed Kaggle run says why in the log's own words, every kernel ends at the plan's
runtime limit on Kaggle's side too, and Kaggle's GPU session limit names the kernels this
hub started that may still hold a session."""

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from asthub_client.cli import main as cli_main
from billing.quotas import max_runtime_seconds
from jobs import services
from jobs.models import JobStatus, TrainingJob
from jobs.platforms.base import JobHandle
from jobs.platforms.kaggle.adapter import KaggleAdapter
from jobs.spec import JobSpec
from tests.kaggle.conftest import ALICE_TOKEN, FAST, launched, metric, sweep

pytestmark = pytest.mark.django_db

TRACEBACK = """Traceback (most recent call last):
  File "/kaggle/working/ast_hub_job.py", line 2210, in <module>
    main()
  File "/kaggle/working/ast_hub_job.py", line 2190, in main
    summary = train(config, out)
  File "/kaggle/working/ast_hub_job.py", line 1544, in train
    loss = step(batch)
  File "/kaggle/working/ast_hub_job.py", line 1320, in step
    logits = model(inputs)
RuntimeError: CUDA error: device-side assert triggered
"""


def _fail_with_traceback(kaggle_alice, kaggle_fake, hub, *, kaggle_message=""):
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    run.start()
    run.emit(metric(0))
    run.emit("loading digits\n")
    run.emit("/usr/lib/python3/warnings.py:1: UserWarning: an early warning\n", stream="stderr")
    run.emit(TRACEBACK[:200], stream="stderr")  # a traceback arrives in pieces
    run.emit(TRACEBACK[200:], stream="stderr")
    run.fail(kaggle_message)
    sweep()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    return job


def test_a_kernel_traceback_is_the_failure_reason_on_rest_cli_and_portal(
    kaggle_alice, kaggle_fake, hub, api_as, token_for, hub_transport, capsys, client
):
    job = _fail_with_traceback(kaggle_alice, kaggle_fake, hub)
    reason = job.failure_reason
    lines = reason.splitlines()
    assert lines[0] == "The Kaggle kernel failed:"
    # The exception line and the frames just before it, at most 8 lines of the log.
    assert lines[-2] == "RuntimeError: CUDA error: device-side assert triggered"
    assert "    logits = model(inputs)" in lines and len(lines) - 2 <= 8
    assert "UserWarning" not in reason and "AST_METRIC" not in reason
    assert lines[-1] == f"Log: https://www.kaggle.com/code/alice-kg/ast-hub-job-{job.pk}"

    detail = api_as(kaggle_alice).get(f"/api/v1/jobs/{job.pk}/").json()
    assert detail["failure_reason"] == reason

    argv = ["--url", "http://testserver", "--token", token_for(kaggle_alice)]
    assert cli_main([*argv, "job", str(job.pk)], transport=hub_transport) == 0
    assert "RuntimeError: CUDA error: device-side assert triggered" in capsys.readouterr().out
    assert cli_main([*argv, "watch", str(job.pk)], transport=hub_transport) == 1
    watched = capsys.readouterr()
    assert "RuntimeError: CUDA error: device-side assert triggered" in watched.out + watched.err

    client.force_login(kaggle_alice)
    page = client.get(f"/portal/jobs/{job.pk}/").content.decode()
    assert "RuntimeError: CUDA error: device-side assert triggered" in page


def test_kaggles_own_message_stays_beside_the_log_lines(kaggle_alice, kaggle_fake, hub):
    job = _fail_with_traceback(kaggle_alice, kaggle_fake, hub, kaggle_message="Kernel error")
    assert job.failure_reason.startswith("The Kaggle kernel failed (Kernel error):\n")
    assert "RuntimeError: CUDA error" in job.failure_reason


def test_an_engine_error_on_stderr_without_a_traceback_is_the_reason(
    kaggle_alice, kaggle_fake, hub
):
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    run.start()
    run.emit("epoch 1 of 2\n")
    run.emit("error: the data set has 3 classes but the sample submission has 2\n", "stderr")
    run.fail("")
    sweep()
    job.refresh_from_db()
    assert job.failure_reason.splitlines()[1] == (
        "error: the data set has 3 classes but the sample submission has 2"
    )
    assert "epoch 1 of 2" not in job.failure_reason


def test_a_long_traceback_is_trimmed_to_its_end(kaggle_alice, kaggle_fake, hub):
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    run.start()
    frames = "".join(f'  File "f.py", line {n}, in g{n}\n    g{n + 1}()\n' for n in range(200))
    huge = "x" * 3000
    run.emit(f"Traceback (most recent call last):\n{frames}ValueError: {huge}\n", "stderr")
    run.fail("")
    sweep()
    job.refresh_from_db()
    reason = job.failure_reason
    error_part = reason.split("\n", 1)[1].rsplit("\nLog: ", 1)[0]
    assert len(error_part) <= 1000 and error_part.startswith("…")
    assert error_part.endswith("x" * 100)


def test_every_kernel_is_saved_with_the_plans_runtime_limit_as_its_session_timeout(
    kaggle_alice, kaggle_fake, hub
):
    job, _ = launched(kaggle_alice, hub, kaggle_fake)
    sent = kaggle_fake.kernel("alice-kg", f"ast-hub-job-{job.pk}").versions[0].request
    limit = max_runtime_seconds(user=kaggle_alice)
    assert limit and sent["sessionTimeoutSeconds"] == min(limit, 12 * 3600)
    assert job.platform_state["session_timeout_seconds"] == sent["sessionTimeoutSeconds"]


def test_a_kernel_past_its_session_timeout_ends_on_kaggle_and_fails_the_job(
    kaggle_alice, kaggle_fake, hub
):
    kaggle_fake.run_manually()
    adapter = KaggleAdapter()
    handle = JobHandle(
        id=951, owner_id=kaggle_alice.pk, config=JobSpec(epochs=1).engine_config(),
        is_baseline=False, hardware="t4", max_runtime_seconds=1,
    )  # fmt: skip
    credential = {"token": ALICE_TOKEN, "kaggle_username": "alice-kg"}
    launched_run = adapter.launch(handle, credential)
    assert kaggle_fake.calls("SaveKernel")[-1]  # saved with a one-second timeout
    run = kaggle_fake.run_of("alice-kg", "ast-hub-job-951")
    run.start()
    running = JobHandle(**{**handle.__dict__, "platform_state": launched_run.platform_state})
    assert adapter.poll(running, credential).state == "running"
    time.sleep(1.2)
    ended = adapter.poll(running, credential)
    assert ended.state == "failed"
    assert "ran past its timeout of 1 seconds" in ended.failure_reason


def test_gpu_session_limit_names_the_kernels_this_hub_started_that_may_still_run(
    kaggle_alice, kaggle_fake, hub
):
    long_ago, old_run = launched(kaggle_alice, hub, kaggle_fake, hardware="t4")
    services.cancel_training(user=kaggle_alice, job_id=long_ago.pk, confirm=True)
    # Cancelled long before: its session timeout has passed, so it holds nothing now.
    TrainingJob.objects.filter(pk=long_ago.pk).update(
        launched_at=timezone.now() - timedelta(days=1)
    )
    old_run.finish({})
    following, run = launched(kaggle_alice, hub, kaggle_fake, hardware="t4")
    run.start()
    let_go, other = launched(kaggle_alice, hub, kaggle_fake, hardware="t4")
    other.start()
    services.cancel_training(user=kaggle_alice, job_id=let_go.pk, confirm=True)
    cpu_run, cpu = launched(kaggle_alice, hub, kaggle_fake)  # a CPU kernel holds no GPU
    cpu.start()

    with hub(execute=True):
        refused = services.start_training(
            user=kaggle_alice, spec=JobSpec.from_dict(FAST | {"hardware": "t4"})
        )
    refused.refresh_from_db()
    assert refused.status == JobStatus.FAILED
    reason = refused.failure_reason
    assert "Maximum batch GPU session count of 2 reached" in reason
    for job in (following, let_go):
        assert f"job {job.pk} (https://www.kaggle.com/code/alice-kg/ast-hub-job-{job.pk}" in reason
    assert f"job {following.pk} (https://www.kaggle.com/code/alice-kg/ast-hub-job-" in reason
    assert "cancelled here but Kaggle cannot be told to stop it" in reason
    assert f"job {long_ago.pk} " not in reason and f"job {cpu_run.pk} " not in reason
    assert "Stop the ones you do not need on kaggle.com" in reason
    assert json.dumps(reason)  # one plain string on every surface
