"""Publishing to the Hub and copying from it, through the real client and the fake Hub."""

import threading

import pytest
from huggingface_hub import ModelCard

from asthub_site.errors import PermissionDenied
from jobs import services
from jobs.models import JobStatus, Publication, PublicationStatus
from jobs.platforms.huggingface.client import hub_api
from jobs.platforms.huggingface.publishing import HubTarget
from jobs.platforms.publishing_base import PublishContext
from jobs.publishing.job_source import job_files
from jobs.publishing.services import sync_model
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db


def _finished_job(user, capture, **overrides):
    with capture(execute=True):
        job = services.start_training(
            user=user, spec=JobSpec.from_dict(FAST | {"name": "digits-ast"} | overrides)
        )
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    return job


def published_to_digits_ast(user, api_as, capture) -> tuple:
    """A finished local run published to <user's Hub name>/digits-ast through REST, as the
    product does; returns the job and its succeeded publication."""
    job = _finished_job(user, capture)
    with capture(execute=True):
        response = api_as(user).post(
            "/api/v1/models/sync",
            {"job_id": job.pk, "to_platform": "huggingface", "target_ref": "digits-ast"},
            format="json",
        )
    assert response.status_code == 202, response.json()
    publication = Publication.objects.get(pk=response.json()["id"])
    assert publication.status == PublicationStatus.SUCCEEDED, publication.failure_reason
    return job, publication


def test_local_run_is_published_in_one_commit_with_a_card_the_hub_can_parse(
    alice, bob, api_as, connect_hf, hf_hub, eager_tasks, tmp_path
):
    token = connect_hf(alice, "alice-hf")
    job, publication = published_to_digits_ast(alice, api_as, eager_tasks)

    repo = hf_hub.repo("alice-hf/digits-ast")
    assert repo.private  # private unless asked otherwise
    assert len(repo.commits) == 2  # the repo's first commit, then everything at once
    assert publication.revision == repo.head.oid
    assert publication.url == f"{hf_hub.url}/alice-hf/digits-ast"
    names = set(repo.head.files)
    assert {"model.safetensors", "config.json", "ast_config.json", "metrics.jsonl"} <= names
    assert "README.md" in names and any(name.endswith(".png") for name in names)

    # Read the card back from the Hub and parse it as the Hub's own tooling does.
    api = hub_api(token)
    path = api.hf_hub_download("alice-hf/digits-ast", "README.md", local_dir=tmp_path)
    card = ModelCard.load(path)
    assert card.data.co2_eq_emissions["emissions"] >= 0
    assert card.data.eval_results and card.data.eval_results[0].metric_type == "accuracy"
    assert card.data.eval_results[0].metric_value == pytest.approx(
        job.summary["final_val_accuracy"], rel=1e-3
    )
    # Every call to the fake carried alice's token; none went anywhere else.
    assert {t for _, p, t in hf_hub.requests if p.startswith("/api/models/alice-hf")} == {token}

    # bob sees neither the publication nor alice's repo.
    assert api_as(bob).get(f"/api/v1/publications/{publication.pk}/").status_code == 404
    bob_token = connect_hf(bob, "bob-hf")
    with pytest.raises(Exception, match="404"):
        hub_api(bob_token).model_info("alice-hf/digits-ast")


def test_two_users_publishing_at_once_each_land_in_their_own_namespace(
    alice, bob, connect_hf, hf_hub, eager_tasks, tmp_path
):
    tokens = {"alice": connect_hf(alice, "alice-hf"), "bob": connect_hf(bob, "bob-hf")}
    gathered = {}
    for name, user in (("alice", alice), ("bob", bob)):
        dest = tmp_path / name
        dest.mkdir()
        gathered[name] = job_files(_finished_job(user, eager_tasks), dest)
    results, errors = {}, []

    def publish(name):
        try:
            results[name] = HubTarget().publish(
                gathered[name],
                {"token": tokens[name]},
                ref="",
                private=True,
                context=PublishContext(owner_id=0, publication_id=0),
            )
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=publish, args=(name,)) for name in ("alice", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    alice_repo = f"alice-hf/mlp-digits-ast-{gathered['alice'].job_id}"
    bob_repo = f"bob-hf/mlp-digits-ast-{gathered['bob'].job_id}"
    assert results["alice"].ref == alice_repo
    assert results["bob"].ref == bob_repo
    repos = {repo_id for (_, repo_id) in hf_hub.repos}
    assert repos == {alice_repo, bob_repo}
    for name, repo_id in (("alice", alice_repo), ("bob", bob_repo)):
        writes = {t for m, p, t in hf_hub.requests if m == "POST" and repo_id in p}
        assert writes == {tokens[name]}


def test_publishing_into_another_users_namespace_is_refused(
    alice, bob, connect_hf, hf_hub, eager_tasks, tmp_path
):
    connect_hf(alice, "alice-hf")
    bob_token = connect_hf(bob, "bob-hf")
    files = job_files(_finished_job(bob, eager_tasks), tmp_path)
    with pytest.raises(PermissionDenied, match="403"):
        HubTarget().publish(
            files,
            {"token": bob_token},
            ref="alice-hf/stolen",
            private=True,
            context=PublishContext(owner_id=bob.pk, publication_id=0),
        )
    assert hf_hub.repo("alice-hf/stolen") is None


def test_auto_upload_hf_publishes_when_the_run_succeeds(alice, connect_hf, hf_hub, eager_tasks):
    connect_hf(alice, "alice-hf")
    job = _finished_job(alice, eager_tasks, auto_upload_hf=True, hf_repo="alice-hf/auto-ast")
    publication = Publication.objects.get(job=job)
    assert publication.automatic and publication.status == PublicationStatus.SUCCEEDED
    assert "README.md" in hf_hub.files("alice-hf/auto-ast")
    assert publication.revision == hf_hub.repo("alice-hf/auto-ast").head.oid


def test_busy_hub_while_publishing_is_retried_then_succeeds(
    alice, connect_hf, hf_hub, eager_tasks, settings
):
    settings.REMOTE_POLL_INTERVAL_SECONDS = 0
    connect_hf(alice, "alice-hf")
    job = _finished_job(alice, eager_tasks)
    hf_hub.fail(503, path=r"^/api/repos/create$")
    with eager_tasks(execute=True):
        publication = sync_model(user=alice, to_platform="huggingface", job_id=job.pk)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.SUCCEEDED, publication.failure_reason
    assert publication.attempts == 2


def test_hub_model_is_copied_to_this_hub(alice, connect_hf, hf_hub, eager_tasks):
    token = connect_hf(alice, "alice-hf")
    api = hub_api(token)
    api.create_repo("alice-hf/tiny", private=True)
    for name, content in (("model.safetensors", b"weights"), ("README.md", b"# tiny\n")):
        api.upload_file(path_or_fileobj=content, path_in_repo=name, repo_id="alice-hf/tiny")
    with eager_tasks(execute=True):
        publication = sync_model(
            user=alice, to_platform="local", from_platform="huggingface", source_ref="alice-hf/tiny"
        )
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.SUCCEEDED, publication.failure_reason
    assert {item["name"] for item in publication.files} == {"model.safetensors", "README.md"}


def test_missing_hub_model_fails_the_copy_with_a_clear_reason(alice, connect_hf, eager_tasks):
    connect_hf(alice, "alice-hf")
    with eager_tasks(execute=True):
        publication = sync_model(
            user=alice, to_platform="local", from_platform="huggingface", source_ref="alice-hf/nope"
        )
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.FAILED
    assert "Not found on Hugging Face" in publication.failure_reason


def _publish(user, capture, job, **request):
    with capture(execute=True):
        publication = sync_model(user=user, to_platform="huggingface", job_id=job.pk, **request)
    publication.refresh_from_db()
    return publication


def test_two_runs_of_the_same_model_and_data_published_by_default_land_in_two_repos(
    alice, connect_hf, hf_hub, eager_tasks
):
    """A sweep names every run alike; the default repo comes from the run, not the name."""
    connect_hf(alice, "alice-hf")
    first = _finished_job(alice, eager_tasks)
    second = _finished_job(alice, eager_tasks)
    published = [_publish(alice, eager_tasks, job) for job in (first, second)]
    assert [p.status for p in published] == [PublicationStatus.SUCCEEDED] * 2
    assert [p.published_ref for p in published] == [
        f"alice-hf/mlp-digits-ast-{first.pk}",
        f"alice-hf/mlp-digits-ast-{second.pk}",
    ]
    for publication, job in zip(published, (first, second), strict=True):
        repo = hf_hub.repo(publication.published_ref)
        assert repo.private and len(repo.commits) == 2
        recorded = hf_hub.files(publication.published_ref)["ast_config.json"]
        assert f'"hub_job_id": {job.pk}' in recorded.decode()

    # Publishing the first run again goes to its own repo rather than being refused.
    again = _publish(alice, eager_tasks, first)
    assert again.status == PublicationStatus.SUCCEEDED, again.failure_reason
    assert again.published_ref == published[0].published_ref


def test_an_explicitly_named_repo_is_reused_by_the_next_run(alice, connect_hf, hf_hub, eager_tasks):
    connect_hf(alice, "alice-hf")
    first = _finished_job(alice, eager_tasks)
    second = _finished_job(alice, eager_tasks)
    for job in (first, second):
        publication = _publish(alice, eager_tasks, job, target_ref="digits-zoo")
        assert publication.status == PublicationStatus.SUCCEEDED, publication.failure_reason
        assert publication.published_ref == "alice-hf/digits-zoo"
    repo = hf_hub.repo("alice-hf/digits-zoo")
    assert len(repo.commits) == 3  # created, then one commit per run
    assert (
        f'"hub_job_id": {second.pk}'
        in hf_hub.files("alice-hf/digits-zoo")["ast_config.json"].decode()
    )


def test_a_default_name_taken_by_another_model_fails_the_publication_and_keeps_that_model(
    alice, connect_hf, hf_hub, eager_tasks
):
    token = connect_hf(alice, "alice-hf")
    job = _finished_job(alice, eager_tasks)
    taken = f"alice-hf/mlp-digits-ast-{job.pk}"  # e.g. made by hand, or by another hub
    api = hub_api(token)
    api.create_repo(taken, private=True)
    api.upload_file(path_or_fileobj=b"theirs", path_in_repo="model.safetensors", repo_id=taken)
    publication = _publish(alice, eager_tasks, job)
    assert publication.status == PublicationStatus.FAILED
    assert f"{taken} already holds another model" in publication.failure_reason
    assert "target_ref" in publication.failure_reason
    kept = hf_hub.files(taken)
    assert kept["model.safetensors"] == b"theirs" and "ast_config.json" not in kept
    assert len(hf_hub.repo(taken).commits) == 2  # created, then their upload: nothing more


def test_a_baseline_run_and_long_names_get_a_default_within_the_hub_and_kaggle_rules(
    alice, eager_tasks
):
    from jobs.models import TrainingJob
    from jobs.platforms.huggingface.publishing import REPO_ID
    from jobs.publishing.job_source import default_model_name

    job = _finished_job(alice, eager_tasks)
    baseline = TrainingJob(pk=41, model="mlp", dataset="digits", is_baseline=True)
    assert default_model_name(baseline) == "mlp-digits-baseline-41"
    assert default_model_name(job) == f"mlp-digits-ast-{job.pk}"
    long_run = TrainingJob(
        pk=123456, model="hf:Google/ViT_Base.Patch16 224" * 3, dataset="cifar100" * 8
    )
    name = default_model_name(long_run)
    assert name.endswith("-ast-123456") and len(name) <= 50
    assert name.startswith("hf-google-vit-base-cifar100")
    assert REPO_ID.match(name) and name == name.lower()
