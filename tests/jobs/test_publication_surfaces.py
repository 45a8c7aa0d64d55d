"""sync_model and publications on REST, the CLI and the portal: the same rules and
errors everywhere, and another tenant's publications do not exist."""

import pytest

from asthub_client.cli import main as cli_main
from jobs import services
from jobs.models import Publication
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db


def test_rest_refuses_publishing_an_unfinished_run_with_a_clear_error(alice, api_as):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    response = api_as(alice).post(
        "/api/v1/models/sync", {"job_id": job.pk, "to_platform": "huggingface"}, format="json"
    )
    assert response.status_code == 409
    assert "only succeeded runs" in response.json()["error"]["message"]
    assert not Publication.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"job_id": 1},
        {"to_platform": "dropbox", "job_id": 1},
        {"to_platform": "huggingface", "job_id": "x"},
        {"to_platform": "huggingface", "job_id": 1, "surprise": True},
        {"to_platform": "huggingface", "source_ref": 5},
    ],
)
def test_rest_rejects_malformed_sync_requests(alice, api_as, body):
    response = api_as(alice).post("/api/v1/models/sync", body, format="json")
    assert response.status_code == 400
    assert not Publication.objects.exists()


def test_publications_of_another_tenant_are_not_found(alice, bob, api_as):
    publication = Publication.objects.create(
        owner=alice, source_platform="huggingface", source_ref="a/b", target_platform="local"
    )
    assert api_as(bob).get(f"/api/v1/publications/{publication.pk}/").status_code == 404
    assert api_as(bob).get("/api/v1/publications/").json()["results"] == []
    own = api_as(alice).get(f"/api/v1/publications/{publication.pk}/")
    assert own.status_code == 200 and own.json()["status"] == "pending"
    missing = api_as(bob).get(f"/api/v1/publications/{publication.pk}/files/model.safetensors")
    assert missing.status_code == 404


def test_sync_needs_the_models_write_scope(alice, token_for, client):
    read_only = token_for(alice, scopes=["jobs:read"])
    response = client.post(
        "/api/v1/models/sync",
        {"job_id": 1, "to_platform": "huggingface"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {read_only}"},
    )
    assert response.status_code == 403


def test_portal_publish_of_unfinished_run_shows_the_reason(alice, client):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    client.force_login(alice)
    response = client.post(
        f"/portal/jobs/{job.pk}/publish/", {"to_platform": "huggingface"}, follow=True
    )
    assert "only succeeded runs can be published" in response.content.decode()
    page = client.get("/portal/publications/")
    assert page.status_code == 200 and "Nothing published yet" in page.content.decode()


def test_cli_sync_without_a_job_or_source_is_a_usage_error(capsys):
    code = cli_main(["--url", "http://127.0.0.1:9", "--token", "asthub_x" * 4, "sync"])
    assert code == 2
    assert "give a JOB id" in capsys.readouterr().err
