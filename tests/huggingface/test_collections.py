"""Published runs gathered into a Hub collection, from REST, the CLI and the portal."""

import json

import pytest

from asthub_client.cli import main as cli_main
from jobs import services
from jobs.models import JobStatus, PublicationStatus
from jobs.platforms.huggingface.client import hub_api
from jobs.publishing.services import sync_model
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db


def _published_run(user, capture, repo: str):
    with capture(execute=True):
        job = services.start_training(user=user, spec=JobSpec.from_dict(FAST))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    with capture(execute=True):
        publication = sync_model(
            user=user, to_platform="huggingface", job_id=job.pk, target_ref=repo
        )
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.SUCCEEDED, publication.failure_reason
    return job


def test_published_runs_and_repos_gather_into_one_collection(
    alice, bob, api_as, connect_hf, hf_hub, eager_tasks
):
    connect_hf(alice, "alice-hf")
    job = _published_run(alice, eager_tasks, "digits-ast")
    # A public model by someone else can be collected too.
    hub_api(hf_hub.add_user("zoo")).create_repo("zoo/resnet-ast", private=False)

    body = {"title": "AST-CIFAR100", "job_ids": [job.pk], "repo_ids": ["zoo/resnet-ast"]}
    response = api_as(alice).post("/api/v1/collections", body, format="json")
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["slug"].startswith("alice-hf/ast-cifar100")
    assert [item["repo_id"] for item in answer["items"]] == [
        "alice-hf/digits-ast",
        "zoo/resnet-ast",
    ]
    assert answer["items"][0]["note"] == f"asthub job {job.pk}"

    # Again with the same title: the collection is reused, nothing is duplicated.
    again = api_as(alice).post("/api/v1/collections", body, format="json")
    assert again.status_code == 201 and again.json()["slug"] == answer["slug"]
    assert len(hf_hub.collections[answer["slug"]].items) == 2

    # bob cannot collect alice's run: her job does not exist for him.
    connect_hf(bob, "bob-hf")
    refused = api_as(bob).post(
        "/api/v1/collections", {"title": "mine", "job_ids": [job.pk]}, format="json"
    )
    assert refused.status_code == 404


def test_unpublished_run_and_missing_credential_are_clear_errors(
    alice, api_as, connect_hf, eager_tasks
):
    with eager_tasks(execute=True):
        job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    api = api_as(alice)
    no_credential = api.post(
        "/api/v1/collections", {"title": "zoo", "repo_ids": ["a/b"]}, format="json"
    )
    assert no_credential.status_code == 409
    connect_hf(alice, "alice-hf")
    unpublished = api.post(
        "/api/v1/collections", {"title": "zoo", "job_ids": [job.pk]}, format="json"
    )
    assert unpublished.status_code == 400
    assert "not on the Hugging Face Hub yet" in unpublished.json()["error"]["message"]
    empty = api.post("/api/v1/collections", {"title": "zoo"}, format="json")
    assert empty.status_code == 400
    unknown = api.post(
        "/api/v1/collections", {"title": "zoo", "repo_ids": ["alice-hf/none"]}, format="json"
    )
    assert unknown.status_code == 404


def test_cli_collection_command_against_the_real_api(
    alice, token_for, connect_hf, eager_tasks, capsys, hub_transport
):
    connect_hf(alice, "alice-hf")
    job = _published_run(alice, eager_tasks, "digits-ast")
    transport = hub_transport
    argv = ["--url", "http://testserver", "--token", token_for(alice)]
    code = cli_main(
        [*argv, "collection", "AST zoo", "--job", str(job.pk), "--json"], transport=transport
    )
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["items"][0]["repo_id"] == "alice-hf/digits-ast"


def test_portal_collection_form_shows_the_collection_or_the_error(
    client, alice, connect_hf, eager_tasks
):
    connect_hf(alice, "alice-hf")
    job = _published_run(alice, eager_tasks, "digits-ast")
    client.force_login(alice)
    page = client.post(
        "/portal/collections/", {"title": "AST-CIFAR100", "job_ids": f"{job.pk}", "repo_ids": ""}
    ).content.decode()
    assert "alice-hf/digits-ast" in page and "/collections/alice-hf/ast-cifar100" in page
    error = client.post(
        "/portal/collections/", {"title": "x", "job_ids": "999999", "repo_ids": ""}
    ).content.decode()
    assert "No training job 999999" in error
