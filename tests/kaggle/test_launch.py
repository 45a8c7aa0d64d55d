"""Launching a Kaggle run: the kernel the hub saves, its accelerator, its data sources,
and the refusals a user must see (hardware, quota, GPU sessions, unknown sources)."""

import hashlib

import pytest

from asthub_site.errors import InvalidInput, QuotaExceeded
from billing.models import JobSlots
from jobs import services
from jobs.models import JobStatus
from jobs.spec import JobSpec
from jobs.training import build_script
from tests.kaggle.conftest import FAST

pytestmark = pytest.mark.django_db


def start(user, hub, **fields):
    with hub(execute=True):
        job = services.start_training(user=user, spec=JobSpec.from_dict(FAST | fields))
    job.refresh_from_db()
    return job


def test_run_becomes_a_private_script_kernel_with_a_stable_slug(kaggle_alice, kaggle_fake, hub):
    job = start(kaggle_alice, hub, hardware="t4x2")
    slug = f"ast-hub-job-{job.pk}"
    assert job.status == JobStatus.RUNNING
    assert job.external_id == f"alice-kg/{slug}"
    assert job.hardware == "t4"  # one name per accelerator, as the plan sees it
    assert job.platform_state["version"] == 1 and job.platform_state["log_events"] == 0
    saved = kaggle_fake.kernel("alice-kg", slug).versions[0].request
    assert saved["isPrivate"] is True and saved["kernelType"] == "script"
    assert saved["language"] == "python" and saved["newTitle"] == f"AST Hub job {job.pk}"
    assert saved["enableGpu"] is True and saved["machineShape"] == "NvidiaTeslaT4"
    bundle = build_script(job.config)
    launcher, _, rest = saved["text"].partition("#!/usr/bin/env python3")
    assert "sys.argv[1:] = ['--out', '/kaggle/working']" in launcher
    assert "#!/usr/bin/env python3" + rest == bundle
    assert job.script_sha256 == hashlib.sha256(bundle.encode()).hexdigest()


def test_baseline_kernel_runs_the_engine_with_the_gate_off(kaggle_alice, kaggle_fake, hub):
    job = start(kaggle_alice, hub, with_baseline=True)
    baseline = job.paired_with
    text = kaggle_fake.kernel("alice-kg", f"ast-hub-job-{baseline.pk}").versions[0].request["text"]
    assert "sys.argv[1:] = ['--out', '/kaggle/working', '--baseline']" in text


def test_p100_is_retired_and_runs_on_t4(kaggle_alice, kaggle_fake, hub):
    job = start(kaggle_alice, hub, hardware="p100")
    assert job.hardware == "t4"
    request = kaggle_fake.kernel("alice-kg", f"ast-hub-job-{job.pk}").versions[0].request
    assert request["machineShape"] == "NvidiaTeslaT4"


def test_cpu_run_asks_for_no_accelerator_and_reads_no_quota(kaggle_alice, kaggle_fake, hub):
    job = start(kaggle_alice, hub)
    request = kaggle_fake.kernel("alice-kg", f"ast-hub-job-{job.pk}").versions[0].request
    assert request["enableGpu"] is False and "machineShape" not in request
    assert not kaggle_fake.calls("GetAcceleratorQuotaStatistics")


def test_unknown_kaggle_hardware_is_refused_with_the_known_names(kaggle_alice):
    with pytest.raises(InvalidInput, match="Kaggle offers: cpu, t4, .*a100.*tpu-v5e-8"):
        JobSpec.from_dict(FAST | {"hardware": "v100"})


def test_free_plan_cannot_start_an_h100_kaggle_run(alice):
    with pytest.raises(QuotaExceeded, match="'h100'"):
        services.start_training(user=alice, spec=JobSpec.from_dict(FAST | {"hardware": "h100"}))


def test_free_plan_may_use_kaggle_t4s(alice, kaggle_fake, hub):
    from accounts.services import CredentialInput, add_credential

    kaggle_fake.add_user("alice-kg", token="KGAT_free_alice_123")
    add_credential(user=alice, data=CredentialInput(provider="kaggle", token="KGAT_free_alice_123"))
    assert start(alice, hub, hardware="t4x2").status == JobStatus.RUNNING


def test_exhausted_gpu_quota_refuses_with_the_hours_left(alice, kaggle_fake, hub):
    from accounts.services import CredentialInput, add_credential
    from billing.services import change_plan

    change_plan(user=alice, plan="pro")
    kaggle_fake.add_user("alice-kg", token="KGAT_spent_alice_12", gpu_used_hours=30.5)
    add_credential(user=alice, data=CredentialInput(provider="kaggle", token="KGAT_spent_alice_12"))
    job = start(alice, hub, hardware="t4")
    assert job.status == JobStatus.FAILED
    assert "GPU quota is used up: 0.0 h of 30 h left" in job.failure_reason
    assert not kaggle_fake.calls("SaveKernel")
    assert JobSlots.objects.get(user=alice).jobs_this_period == 0  # the month's job is refunded
    # A CPU session spends no GPU quota, so it still starts.
    assert start(alice, hub).status == JobStatus.RUNNING


def test_gpu_session_limit_is_a_clear_failure(kaggle_alice, kaggle_fake, hub):
    kaggle_fake.gpu_session_limit = True
    job = start(kaggle_alice, hub, hardware="t4")
    assert job.status == JobStatus.FAILED
    assert "Maximum batch GPU session count" in job.failure_reason
    assert "None of the GPU kernels this hub started for you" in job.failure_reason


def test_kaggle_dataset_is_attached_and_read_from_kaggle_input(kaggle_alice, kaggle_fake, hub):
    kaggle_fake.add_dataset("someone", "iris-data", {"iris.csv": b"a,b,species\n1,2,x\n"})
    job = start(kaggle_alice, hub, dataset="kaggle:someone/iris-data/iris.csv:species")
    assert job.dataset == "kaggle:someone/iris-data/iris.csv:species"
    assert job.config["dataset"] == "csv:/kaggle/input/iris-data/iris.csv:species"
    request = kaggle_fake.kernel("alice-kg", f"ast-hub-job-{job.pk}").versions[0].request
    assert request["datasetDataSources"] == ["someone/iris-data"]
    assert request["enableInternet"] is False  # an attached data set needs no download


def test_competition_data_is_attached_as_a_competition_source(kaggle_alice, kaggle_fake, hub):
    kaggle_fake.add_competition("titanic", accepted={"alice-kg"}, files={"train.csv": b"x"})
    job = start(kaggle_alice, hub, dataset="competition:titanic/train.csv:Survived")
    assert job.config["dataset"] == "csv:/kaggle/input/titanic/train.csv:Survived"
    request = kaggle_fake.kernel("alice-kg", f"ast-hub-job-{job.pk}").versions[0].request
    assert request["competitionDataSources"] == ["titanic"]


def test_unknown_kaggle_dataset_fails_the_job_naming_it(kaggle_alice, kaggle_fake, hub):
    job = start(kaggle_alice, hub, dataset="kaggle:someone/nowhere")
    assert job.status == JobStatus.FAILED
    assert "someone/nowhere" in job.failure_reason


@pytest.mark.parametrize(
    "dataset, message",
    [
        ("kaggle:someone/data/train.parquet", "a .csv"),
        ("competition:titanic", "the form is competition:SLUG/FILE"),
        ("kaggle:../etc", "names a path"),
    ],
)
def test_malformed_kaggle_datasets_are_refused_before_anything_is_stored(
    kaggle_alice, dataset, message
):
    with pytest.raises(InvalidInput, match=message):
        JobSpec.from_dict(FAST | {"dataset": dataset})


def test_kaggle_datasets_are_refused_on_the_local_platform(alice):
    with pytest.raises(InvalidInput, match="use platform 'kaggle'"):
        JobSpec.from_dict(FAST | {"platform": "local", "dataset": "kaggle:someone/data"})


def test_kaggle_run_without_a_credential_is_refused_before_anything_is_spent(alice, hub):
    from asthub_site.errors import MissingCredential
    from billing.selectors import usage_for
    from jobs.models import TrainingJob

    with pytest.raises(MissingCredential, match="connect it under Credentials"):
        start(alice, hub)
    assert not TrainingJob.objects.filter(owner=alice).exists()
    assert usage_for(alice).as_dict()["limits"]["monthly_jobs"]["used"] == 0


def test_launch_waits_out_a_short_429_then_saves_the_kernel(kaggle_alice, kaggle_fake, hub):
    kaggle_fake.fail(429, count=1, retry_after=0.2, routes=("SaveKernel",))
    job = start(kaggle_alice, hub)
    assert job.status == JobStatus.RUNNING
    assert len(kaggle_fake.calls("SaveKernel")) == 2


def test_launch_gives_up_on_a_kaggle_that_stays_busy(kaggle_alice, kaggle_fake, hub):
    kaggle_fake.fail(503, count=None, retry_after=0.1, routes=("SaveKernel",))
    job = start(kaggle_alice, hub)
    assert job.status == JobStatus.FAILED
    assert "Kaggle stayed busy while saving the kernel" in job.failure_reason
