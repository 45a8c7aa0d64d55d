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


def _stored_publication(user, repo_id: str, *, private: bool):
    """A run published to `repo_id` (made on the fake Hub), without training it."""
    from jobs.models import Publication
    from tests.sharing.factories import stored_job

    job = stored_job(user)
    Publication.objects.create(
        owner=user,
        job=job,
        source_platform="local",
        target_platform="huggingface",
        status=PublicationStatus.SUCCEEDED,
        published_ref=repo_id,
        private=private,
    )
    return job


def test_collection_of_a_private_model_is_private_unless_public_is_asked_for(
    alice, api_as, connect_hf, hf_hub
):
    token = connect_hf(alice, "alice-hf")
    hub_api(token).create_repo("alice-hf/secret-ast", private=True)
    hub_api(token).create_repo("alice-hf/open-ast", private=False)
    secret = _stored_publication(alice, "alice-hf/secret-ast", private=True)
    api = api_as(alice)

    default = api.post(
        "/api/v1/collections",
        {"title": "zoo", "job_ids": [secret.pk], "repo_ids": ["alice-hf/open-ast"]},
        format="json",
    )
    assert default.status_code == 201, default.json()
    assert default.json()["private"] is True
    assert hf_hub.collections[default.json()["slug"]].private

    public = api.post(
        "/api/v1/collections",
        {"title": "open zoo", "job_ids": [secret.pk], "private": False},
        format="json",
    )
    assert public.status_code == 201 and public.json()["private"] is False
    assert not hf_hub.collections[public.json()["slug"]].private

    # All public: public by default; an explicit private is kept.
    all_public = api.post(
        "/api/v1/collections",
        {"title": "open only", "repo_ids": ["alice-hf/open-ast"]},
        format="json",
    )
    assert all_public.status_code == 201 and all_public.json()["private"] is False
    kept_private = api.post(
        "/api/v1/collections",
        {"title": "mine", "repo_ids": ["alice-hf/open-ast"], "private": True},
        format="json",
    )
    assert kept_private.status_code == 201 and kept_private.json()["private"] is True

    # null means "not given"; anything but a boolean is refused.
    null = api.post(
        "/api/v1/collections",
        {"title": "zoo", "job_ids": [secret.pk], "private": None},
        format="json",
    )
    assert null.status_code == 201 and null.json()["private"] is True
    refused = api.post(
        "/api/v1/collections",
        {"title": "zoo", "job_ids": [secret.pk], "private": "no"},
        format="json",
    )
    assert refused.status_code == 400 and "private" in json.dumps(refused.json())


def test_a_private_model_is_not_slipped_into_an_existing_public_collection(
    alice, api_as, connect_hf, hf_hub
):
    token = connect_hf(alice, "alice-hf")
    hub_api(token).create_repo("alice-hf/open-ast", private=False)
    hub_api(token).create_repo("alice-hf/secret-ast", private=True)
    api = api_as(alice)
    made = api.post(
        "/api/v1/collections", {"title": "zoo", "repo_ids": ["alice-hf/open-ast"]}, format="json"
    )
    assert made.status_code == 201 and made.json()["private"] is False
    slug = made.json()["slug"]

    refused = api.post(
        "/api/v1/collections", {"title": "zoo", "repo_ids": ["alice-hf/secret-ast"]}, format="json"
    )
    assert refused.status_code == 409
    message = refused.json()["error"]["message"]
    assert "already exists and is public" in message and "alice-hf/secret-ast" in message
    assert "private: false" in message
    assert [item["id"] for item in hf_hub.collections[slug].items] == ["alice-hf/open-ast"]

    added = api.post(
        "/api/v1/collections",
        {"title": "zoo", "repo_ids": ["alice-hf/secret-ast"], "private": False},
        format="json",
    )
    assert added.status_code == 201 and added.json()["slug"] == slug
    assert len(hf_hub.collections[slug].items) == 2


def test_cli_and_portal_choose_the_collections_visibility(
    alice, client, token_for, connect_hf, hf_hub, capsys, hub_transport
):
    token = connect_hf(alice, "alice-hf")
    hub_api(token).create_repo("alice-hf/secret-ast", private=True)
    argv = ["--url", "http://testserver", "--token", token_for(alice)]
    assert (
        cli_main(
            [*argv, "collection", "cli zoo", "--repo", "alice-hf/secret-ast"],
            transport=hub_transport,
        )
        == 0
    )
    assert "cli zoo (private):" in capsys.readouterr().out
    assert (
        cli_main(
            [
                *argv,
                "collection",
                "cli open",
                "--repo",
                "alice-hf/secret-ast",
                "--public",
                "--json",
            ],
            transport=hub_transport,
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["private"] is False

    client.force_login(alice)
    page = client.post(
        "/portal/collections/",
        {"title": "portal zoo", "job_ids": "", "repo_ids": "alice-hf/secret-ast", "private": ""},
    ).content.decode()
    assert "(private)" in page
    public = client.post(
        "/portal/collections/",
        {
            "title": "portal open",
            "job_ids": "",
            "repo_ids": "alice-hf/secret-ast",
            "private": "false",
        },
    ).content.decode()
    assert "portal open" in public and "(private)" not in public
    visibility = {c.title: c.private for c in hf_hub.collections.values()}
    assert visibility == {
        "cli zoo": True,
        "cli open": False,
        "portal zoo": True,
        "portal open": False,
    }
