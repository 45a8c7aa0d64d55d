"""An HF Job runs on an image with torch and little else: the bootstrap installs what the
engine needs for the run (pinned, listed in the job's ASTHUB_REQUIREMENTS), and a job
that skips it finds no scikit-learn. The fake runs jobs on an interpreter holding only
the image's torch and pip (tests/fakes/clean_python.py)."""

import json
from pathlib import Path

import pytest
from huggingface_hub import HfApi

from jobs import services
from jobs.models import JobStatus
from jobs.platforms.huggingface.bootstrap import BOOTSTRAP
from jobs.spec import JobSpec

pytestmark = pytest.mark.django_db

DIGITS = {"dataset": "digits", "model": "mlp", "epochs": 2, "platform": "huggingface"}
HUB_PACKAGES = ("django", "sklearn", "numpy", "jobs", "asthub_site", "tests")
REPO = Path(__file__).resolve().parents[2]


def run_command(hf_hub, command: list[str], env: dict | None = None):
    token = hf_hub.add_user("carol-hf")
    api = HfApi(endpoint=hf_hub.url, token=token)
    info = api.run_job(
        image="pytorch/pytorch:2.6.0-cuda12.4-cudnn9-runtime",
        command=command,
        env=env or {},
        flavor="cpu-basic",
        namespace="carol-hf",
    )
    return hf_hub.wait_for_job(info.id)


def log_of(job) -> str:
    return "\n".join(line.text for line in job.logs)


def test_digits_run_succeeds_because_the_bootstrap_installs_scikit_learn(
    alice, connect_hf, hf_hub, eager_tasks, poll_until_done
):
    connect_hf(alice, "alice-hf")
    with eager_tasks(execute=True):
        job = services.start_training(user=alice, spec=JobSpec.from_dict(DIGITS))
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING, job.failure_reason
    remote = hf_hub.jobs[job.external_id]
    wanted = remote.spec["environment"]["ASTHUB_REQUIREMENTS"].split()
    assert "scikit-learn==1.9.1" in wanted and "numpy==2.4.6" in wanted
    assert "mnist1d==0.0.2.post1" not in wanted  # only what this run imports

    job = poll_until_done(job.pk, timeout=240)
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    assert "scikit-learn==1.9.1" in log_of(remote).split("asthub: installing ")[1].split("\n")[0]
    assert job.summary["epochs_completed"] == 2


def test_the_image_has_torch_and_nothing_of_the_hub(hf_hub):
    probe = (
        "import importlib.util, json, os, sys, torch\n"
        f"found = [m for m in {HUB_PACKAGES!r} if importlib.util.find_spec(m)]\n"
        "print(json.dumps({'found': found, 'cwd': os.getcwd(), 'path': sys.path,"
        " 'pythonpath': os.environ.get('PYTHONPATH')}))\n"
    )
    job = run_command(hf_hub, ["python", "-c", probe])
    assert job.stage == "COMPLETED", log_of(job)
    seen = json.loads(next(line.text for line in job.logs if line.text.startswith("{")))
    assert seen["found"] == [] and seen["pythonpath"] is None
    assert not Path(seen["cwd"]).is_relative_to(REPO)
    assert not any(Path(entry).is_relative_to(REPO) for entry in seen["path"] if entry)


def test_a_job_that_skips_the_bootstrap_cannot_import_scikit_learn(hf_hub):
    job = run_command(hf_hub, ["python", "-c", "import sklearn"])
    assert job.stage == "ERROR"
    assert "No module named 'sklearn'" in log_of(job)


def test_a_package_pip_cannot_install_ends_the_job_naming_it(hf_hub):
    job = run_command(
        hf_hub,
        ["python", "-c", BOOTSTRAP],
        env={"ASTHUB_REQUIREMENTS": "numpy==2.4.6 scikit-learn==0.0.0.404"},
    )
    assert job.stage == "ERROR" and job.message == "Job failed with exit code: 4"
    assert "asthub: pip could not install scikit-learn==0.0.0.404;" in log_of(job)
