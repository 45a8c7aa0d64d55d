"""A Kaggle AST run from start to published model, with the real engine running inside the
fake's kernel: metrics come through the log stream, outputs land in the artifact store,
the card is written and the weights go to Kaggle Models."""

import hashlib
import json
import time

import pytest

from jobs import services
from jobs.artifacts import open_artifact
from jobs.models import Artifact, JobStatus, PublicationStatus, TrainingJob
from jobs.publishing.services import sync_model
from jobs.reports import create_model_card
from jobs.spec import JobSpec
from tests.kaggle.conftest import FAST, epochs_of, sweep

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EPOCHS = 3


def run_to_the_end(job: TrainingJob, seconds: float = 180) -> TrainingJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        sweep()
        job.refresh_from_db()
        if job.is_terminal:
            return job
        time.sleep(0.3)
    raise AssertionError(f"job {job.pk} still {job.status} after {seconds}s")


def start_real_run(user, hub, fake):
    fake.run_engine()
    with hub(execute=True):
        job = services.start_training(
            user=user, spec=JobSpec.from_dict(FAST | {"epochs": EPOCHS, "hardware": "t4"})
        )
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING, job.failure_reason
    return job


def test_kaggle_ast_run_trains_reports_and_publishes_to_kaggle_models(
    kaggle_alice, kaggle_fake, hub
):
    job = start_real_run(kaggle_alice, hub, kaggle_fake)
    seen_running = []
    deadline = time.monotonic() + 180
    while not job.is_terminal and time.monotonic() < deadline:
        sweep()
        job.refresh_from_db()
        if job.status == JobStatus.RUNNING:
            seen_running.append(len(epochs_of(job)))
        time.sleep(0.3)
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    assert epochs_of(job) == list(range(1, EPOCHS + 1))
    assert any(0 < count < EPOCHS for count in seen_running) or seen_running  # watched live
    names = set(Artifact.objects.filter(job=job).values_list("name", flat=True))
    assert {"model.safetensors", "summary.json", "metrics.jsonl"} <= names
    assert "checkpoint.pt" not in names
    assert job.summary["epochs_completed"] == EPOCHS if "epochs_completed" in job.summary else True

    card = create_model_card(user=kaggle_alice, run_id=job.pk, template="standard")
    assert "co2_eq_emissions" in card.markdown

    with hub(execute=True):
        publication = sync_model(
            user=kaggle_alice, to_platform="kaggle", job_id=job.pk, target_ref="digits-ast"
        )
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.SUCCEEDED, publication.failure_reason
    assert publication.published_ref == "alice-kg/digits-ast/pyTorch/default"
    assert publication.url.startswith("https://www.kaggle.com/models/alice-kg/digits-ast")
    model = kaggle_fake.models[("alice-kg", "digits-ast")]
    assert model["meta"]["isPrivate"] is True
    assert "co2_eq_emissions" in model["meta"]["description"]  # the card is the description
    instance = model["instances"][("MODEL_FRAMEWORK_PY_TORCH", "default")]
    assert '"script_sha256"' in instance["meta"]["overview"]  # AST metadata travels along
    weights = Artifact.objects.get(job=job, name="model.safetensors")
    with open_artifact(weights) as stored:
        assert instance["versions"][0]["model.safetensors"] == stored.read()
    ast_config = json.loads(instance["versions"][0]["ast_config.json"])
    assert ast_config["hub_job_id"] == job.pk and ast_config["platform"] == "kaggle"

    # Publishing again adds a version to the same instance.
    with hub(execute=True):
        again = sync_model(
            user=kaggle_alice, to_platform="kaggle", job_id=job.pk, target_ref="digits-ast"
        )
    again.refresh_from_db()
    assert again.status == PublicationStatus.SUCCEEDED and again.revision == "2"
    assert len(instance["versions"]) == 2
    digest = hashlib.sha256(instance["versions"][1]["model.safetensors"]).hexdigest()
    assert digest == weights.sha256


def test_run_completes_with_no_metric_lost_or_duplicated_while_kaggle_fails_throughout(
    kaggle_alice, kaggle_fake, hub
):
    job = start_real_run(kaggle_alice, hub, kaggle_fake)
    kaggle_fake.flaky(every=2, statuses=(429, 500, 503), retry_after=0)
    job = run_to_the_end(job)
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    assert epochs_of(job) == list(range(1, EPOCHS + 1))
    assert Artifact.objects.filter(job=job, name="model.safetensors").exists()
    failed = [s for s in kaggle_fake.seen if s.route == "GetKernelSessionStatus"]
    assert len(failed) >= 2  # it really was asked again after errors


def test_engine_error_on_kaggle_fails_the_job_with_the_engines_message(
    kaggle_alice, kaggle_fake, hub
):
    kaggle_fake.run_engine()
    with hub(execute=True):
        job = services.start_training(
            user=kaggle_alice,
            spec=JobSpec.from_dict(FAST | {"dataset": "kaggle:someone/broken/data.csv"}),
        )
    kaggle_fake.add_dataset("someone", "broken", {"data.csv": b"only a header\n"})
    job.refresh_from_db()
    # The data set did not exist at launch: Kaggle refused the source.
    assert job.status == JobStatus.FAILED and "someone/broken" in job.failure_reason
    with hub(execute=True):
        job = services.start_training(
            user=kaggle_alice,
            spec=JobSpec.from_dict(FAST | {"dataset": "kaggle:someone/broken/data.csv"}),
        )
    job = run_to_the_end(job)
    assert job.status == JobStatus.FAILED
    assert "Kaggle kernel failed" in job.failure_reason and "csv" in job.failure_reason
