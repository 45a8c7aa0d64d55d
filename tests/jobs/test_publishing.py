"""sync_model's checks, shared by every target: what can be published, by whom, and what
a refused request leaves behind (nothing)."""

import json
from pathlib import Path

import pytest

from accounts.models import AuditEvent
from asthub_site.errors import Conflict, InvalidInput, MissingCredential, NotFound
from jobs import services
from jobs.models import JobStatus, Publication
from jobs.platforms.base import PlatformUnavailable
from jobs.publishing.job_source import job_files
from jobs.publishing.services import sync_model
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db


def _finished_job(user, capture):
    with capture(execute=True):
        job = services.start_training(user=user, spec=JobSpec.from_dict(FAST | {"name": "pub"}))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    return job


def test_unfinished_run_cannot_be_published(alice):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    with pytest.raises(Conflict, match="only succeeded runs"):
        sync_model(user=alice, to_platform="huggingface", job_id=job.pk)
    assert not Publication.objects.exists()


def test_another_tenants_job_does_not_exist_for_publishing(alice, bob):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    with pytest.raises(NotFound):
        sync_model(user=bob, to_platform="huggingface", job_id=job.pk)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"to_platform": "dropbox", "job_id": 1}, InvalidInput, "to_platform must be one of"),
        ({"to_platform": "local"}, InvalidInput, "Give the job_id"),
        ({"to_platform": "local", "source_ref": "a/b"}, InvalidInput, "from_platform is required"),
        (
            {"to_platform": "local", "from_platform": "local", "source_ref": "a/b"},
            InvalidInput,
            "already on local",
        ),
    ],
)
def test_bad_publication_requests_are_refused_and_store_nothing(alice, arguments, error, message):
    with pytest.raises(error, match=message):
        sync_model(user=alice, **arguments)
    assert not Publication.objects.exists()


def test_finished_run_is_gathered_with_weights_card_and_ast_metadata(alice, eager_tasks, tmp_path):
    job = _finished_job(alice, eager_tasks)
    with pytest.raises(InvalidInput, match="already on this hub"):
        sync_model(user=alice, to_platform="local", job_id=job.pk)
    with pytest.raises(InvalidInput, match="ran on local, not kaggle"):
        sync_model(user=alice, to_platform="huggingface", job_id=job.pk, from_platform="kaggle")
    target = sync_model_target_error(alice, job)
    assert isinstance(target, (MissingCredential, PlatformUnavailable))
    assert not Publication.objects.exists()

    dest = tmp_path / "gathered"
    dest.mkdir()
    files = job_files(job, dest)
    names = set(files.names())
    assert {"model.safetensors", "metrics.jsonl", "summary.json", "README.md"} <= names
    assert "ast_config.json" in names
    metadata = json.loads(Path(dest / "ast_config.json").read_text())
    assert metadata["script_sha256"] == job.script_sha256
    assert metadata["results"]["final_val_accuracy"] > 0.5
    assert "co2_eq_emissions" in files.card_markdown
    assert files.name == f"mlp-digits-ast-{job.pk}"  # the run, not its (shared) name
    # Gathering created the run's card so a published model always carries one.
    assert job.model_cards.count() == 1
    assert not AuditEvent.objects.filter(action="model.sync_started").exists()


def sync_model_target_error(user, job):
    """Publishing to the Hub without an HF credential is refused before anything runs."""
    try:
        sync_model(user=user, to_platform="huggingface", job_id=job.pk)
    except (MissingCredential, PlatformUnavailable) as error:
        return error
    raise AssertionError("publishing without a credential was accepted")
