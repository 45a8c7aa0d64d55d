"""A Kaggle kernel installs what the engine needs and Kaggle's image lacks (mnist1d) when
it has internet, and otherwise stops at once saying what is missing and why. The fake
runs kernels on an interpreter holding only Kaggle's image (tests/fakes/clean_python.py)."""

import subprocess
import time

import pytest
from kagglesdk.kernels.types.kernels_api_service import ApiSaveKernelRequest

from jobs import services
from jobs.models import JobStatus
from jobs.platforms.kaggle.client import kaggle_client
from jobs.platforms.kaggle.kernels import kernel_text
from jobs.spec import JobSpec
from jobs.training import build_script
from tests.fakes.clean_python import HF_JOBS_IMAGE, job_python
from tests.kaggle.conftest import ALICE_TOKEN, epochs_of, sweep

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

MNIST1D = {"dataset": "mnist1d", "model": "mlp", "epochs": 2}
PHONE = "internet only on phone-verified accounts"


def wait_until_done(run, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while run.status() == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.2)
    return run.status()


def test_mnist1d_kernel_without_internet_fails_at_once_naming_mnist1d(kaggle_alice, kaggle_fake):
    kaggle_fake.run_engine()
    request = ApiSaveKernelRequest()
    request.slug = "alice-kg/ast-hub-offline-mnist1d"
    request.new_title = "AST Hub offline mnist1d"
    request.text = kernel_text(build_script(MNIST1D), baseline=False, config=MNIST1D)
    request.language, request.kernel_type, request.is_private = "python", "script", True
    request.enable_internet = False  # as Kaggle runs it for an account without a phone
    with kaggle_client({"token": ALICE_TOKEN}) as client:
        client.kernels.kernels_api_client.save_kernel(request)
    run = kaggle_fake.run_of("alice-kg", "ast-hub-offline-mnist1d")

    started = time.monotonic()
    assert wait_until_done(run) == "ERROR"
    assert time.monotonic() - started < 30  # before any training: no data, no epochs
    message = run.failure()
    assert "mnist1d" in message and PHONE in message, message
    log = "".join(event["data"] for event in run.events())
    assert "AST_METRIC" not in log and "Successfully installed" not in log


def test_kernel_without_internet_stops_before_pip_when_the_image_lacks_a_package(tmp_path):
    # digits asks for no internet; on an image without numpy or scikit-learn (the HF
    # image's interpreter) the launcher says so without trying pip at all.
    config = {"dataset": "digits", "model": "mlp", "epochs": 1}
    python = job_python(HF_JOBS_IMAGE, tmp_path, internet=False)
    script = tmp_path / "script.py"
    script.write_text(kernel_text(build_script(config), baseline=False, config=config))
    started = time.monotonic()
    done = subprocess.run(
        [str(python.python), str(script)],
        cwd=tmp_path,
        env=python.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert time.monotonic() - started < 10
    assert "numpy==2.4.6" in done.stderr and "scikit-learn==1.9.1" in done.stderr
    assert PHONE in done.stderr and "installing" not in done.stdout


def test_mnist1d_kernel_with_internet_installs_mnist1d_and_trains(kaggle_alice, kaggle_fake, hub):
    kaggle_fake.run_engine()
    with hub(execute=True):
        job = services.start_training(
            user=kaggle_alice, spec=JobSpec.from_dict(MNIST1D | {"platform": "kaggle"})
        )
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING, job.failure_reason
    request = kaggle_fake.kernel("alice-kg", job.platform_state["slug"]).versions[-1].request
    assert request["enableInternet"] is True

    deadline = time.monotonic() + 240
    while not job.is_terminal and time.monotonic() < deadline:
        sweep()
        job.refresh_from_db()
        time.sleep(0.3)
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    assert epochs_of(job) == [1, 2]
    run = kaggle_fake.run_of("alice-kg", job.platform_state["slug"])
    log = "".join(event["data"] for event in run.events())
    # Only what Kaggle's image lacks: numpy and safetensors are there already.
    assert "asthub: installing mnist1d==0.0.2.post1\n" in log
