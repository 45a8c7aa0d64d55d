"""Kaggle Models named by default: one model per run, so a sweep keeps every run's model."""

import pytest

from jobs import services
from jobs.models import JobStatus, PublicationStatus
from jobs.publishing.services import sync_model
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST, eager_tasks  # noqa: F401 - shared fixture

pytestmark = pytest.mark.django_db


def _finished_local_run(user, capture):
    with capture(execute=True):
        job = services.start_training(
            user=user, spec=JobSpec.from_dict(FAST | {"name": "sweep-point"})
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    return job


def _publish_to_kaggle(user, capture, job, **request):
    with capture(execute=True):
        publication = sync_model(user=user, to_platform="kaggle", job_id=job.pk, **request)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.SUCCEEDED, publication.failure_reason
    return publication


def test_two_runs_with_the_same_name_become_two_kaggle_models_unless_one_is_named(
    kaggle_alice,
    kaggle_fake,
    eager_tasks,  # noqa: F811
):
    first = _finished_local_run(kaggle_alice, eager_tasks)
    second = _finished_local_run(kaggle_alice, eager_tasks)
    refs = [
        _publish_to_kaggle(kaggle_alice, eager_tasks, job).published_ref for job in (first, second)
    ]
    assert refs == [
        f"alice-kg/mlp-digits-ast-{first.pk}/pyTorch/default",
        f"alice-kg/mlp-digits-ast-{second.pk}/pyTorch/default",
    ]
    for job in (first, second):
        versions = kaggle_fake.models[("alice-kg", f"mlp-digits-ast-{job.pk}")]["instances"][
            ("MODEL_FRAMEWORK_PY_TORCH", "default")
        ]["versions"]
        assert (
            len(versions) == 1
            and f'"hub_job_id": {job.pk}' in versions[0]["ast_config.json"].decode()
        )

    # Named explicitly, the second run goes into the first run's model as a new version.
    named = _publish_to_kaggle(
        kaggle_alice, eager_tasks, second, target_ref=f"mlp-digits-ast-{first.pk}"
    )
    assert named.published_ref == refs[0] and named.revision == "2"
