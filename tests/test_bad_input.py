"""Malformed input is a 400 with the usual error shape on every endpoint, never a 500, and
changes nothing: JSON nested past the decoder's depth, ids past the database's 64 bits,
and booleans that are not JSON booleans."""

import pytest

from jobs.models import JobStatus, Publication, TrainingJob
from tests.sharing.factories import stored_job

pytestmark = pytest.mark.django_db

PAST_64_BITS = 2**64
DEEP_JSON = "[" * 100_000 + "]" * 100_000  # 200 kB: under the body cap, past any stack


def _error(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["error"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/jobs/", "/api/v1/compare/", "/api/v1/models/sync", "/api/v1/shares"],
)
def test_json_nested_too_deeply_is_a_400_not_a_crash(alice, api_as, path):
    response = api_as(alice).post(path, DEEP_JSON, content_type="application/json")
    assert "nested too deeply" in _error(response)["message"]
    assert not TrainingJob.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/publications/?job_id=99999999999999999999",
        "/api/v1/publications/?job_id=",
        "/api/v1/competitions/submissions/?job=18446744073709551616",
        "/api/v1/jobs/?sweep=9223372036854775808",
        "/api/v1/jobs/{job}/metrics/?after_epoch=99999999999999999999",
    ],
)
def test_integer_query_parameters_past_64_bits_are_a_400_naming_them(alice, api_as, query):
    job = stored_job(alice)
    name = query.split("?")[1].split("=")[0]
    error = _error(api_as(alice).get(query.format(job=job.pk)))
    assert name in error["message"] and error["fields"] == {name: ["invalid"]}


def test_ids_past_64_bits_in_bodies_are_a_400_naming_the_field(alice, api_as):
    api = api_as(alice)
    for path, body, field in [
        ("/api/v1/compare/", {"ast_run_id": PAST_64_BITS}, "ast_run_id"),
        ("/api/v1/models/sync", {"to_platform": "local", "job_id": PAST_64_BITS}, "job_id"),
        ("/api/v1/shares", {"job_ids": [PAST_64_BITS]}, "job_ids"),
        ("/api/v1/collections", {"title": "zoo", "job_ids": [PAST_64_BITS]}, "job_ids"),
    ]:
        error = _error(api.post(path, body))
        assert field in error["fields"], (path, error)
    assert not Publication.objects.exists()


def test_portal_compare_form_refuses_an_id_past_64_bits(alice, client):
    client.force_login(alice)
    page = client.get(f"/portal/compare/?ast_run_id={PAST_64_BITS}")
    assert page.status_code == 200
    assert "less than or equal to" in page.content.decode()


@pytest.mark.parametrize("confirm", [0, 1, "no", "true", None, []])
def test_cancel_confirm_must_be_a_json_boolean(alice, api_as, confirm):
    job = stored_job(alice, status=JobStatus.RUNNING)
    response = api_as(alice).post(f"/api/v1/jobs/{job.pk}/cancel/", {"confirm": confirm})
    refusal = _error(response)["fields"]["confirm"][0]
    assert refusal in {"Must be true or false (a JSON boolean).", "This field may not be null."}
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_private_and_listed_must_be_json_booleans(alice, api_as):
    job = stored_job(alice)
    api = api_as(alice)
    for path, body in [
        ("/api/v1/models/sync", {"to_platform": "local", "job_id": job.pk, "private": 0}),
        ("/api/v1/collections", {"title": "zoo", "job_ids": [job.pk], "private": "yes"}),
        (f"/api/v1/jobs/{job.pk}/leaderboard/", {"listed": 1}),
    ]:
        method = api.put if "leaderboard" in path else api.post
        assert "true or false" in str(_error(method(path, body))["fields"]), path
    assert not Publication.objects.exists()
