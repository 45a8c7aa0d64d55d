"""Share links: read-only, job-scoped tokens for the public page, the read API and
dashboard Spaces."""

import json

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from asthub_site.errors import InvalidInput, NotFound
from billing.models import PlanOverride
from jobs.models import JobStatus, ShareToken
from jobs.sharing.selectors import shared_jobs
from jobs.sharing.services import create_share_token, revoke_share_token
from jobs.sharing.tokens import SHARE_PREFIX
from tests.sharing.factories import stored_job

pytestmark = pytest.mark.django_db


def test_share_token_reads_only_the_jobs_it_names(alice):
    shared = stored_job(alice)
    stored_job(alice, name="private one")
    share, raw = create_share_token(user=alice, job_ids=[shared.pk], label="for the paper")
    assert raw.startswith(SHARE_PREFIX)
    assert [job.pk for job in shared_jobs(raw)] == [shared.pk]
    assert share.label == "for the paper"
    assert share.last_four == raw[-4:]


def test_share_token_is_stored_as_a_digest_only(alice):
    _, raw = create_share_token(user=alice, job_ids=[stored_job(alice).pk])
    row = ShareToken.objects.get()
    assert raw not in json.dumps(list(ShareToken.objects.values()), default=str)
    assert row.digest != raw and len(row.digest) == 64
    assert AuditEvent.objects.filter(user=alice, action="share.created").exists()


def test_sharing_another_users_job_is_not_found_and_creates_nothing(alice, bob):
    alices = stored_job(alice)
    with pytest.raises(NotFound):
        create_share_token(user=bob, job_ids=[alices.pk])
    bobs = stored_job(bob)
    with pytest.raises(NotFound):
        create_share_token(user=bob, job_ids=[bobs.pk, alices.pk])
    assert not ShareToken.objects.exists()


def test_share_token_needs_at_least_one_job(alice):
    with pytest.raises(InvalidInput):
        create_share_token(user=alice, job_ids=[])


def test_revoked_token_reads_nothing(alice):
    share, raw = create_share_token(user=alice, job_ids=[stored_job(alice).pk])
    revoke_share_token(user=alice, share_id=share.pk)
    with pytest.raises(NotFound):
        shared_jobs(raw)
    with pytest.raises(NotFound):  # revoking twice: no such active link
        revoke_share_token(user=alice, share_id=share.pk)


def test_bob_cannot_revoke_alices_share_link(alice, bob):
    share, raw = create_share_token(user=alice, job_ids=[stored_job(alice).pk])
    with pytest.raises(NotFound):
        revoke_share_token(user=bob, share_id=share.pk)
    assert len(shared_jobs(raw)) == 1


# --- public read API ------------------------------------------------------------------


def test_public_api_shows_status_and_metrics_per_epoch_without_an_account(alice, anon):
    job = stored_job(alice, status=JobStatus.RUNNING, epochs=5, epochs_done=3)
    _, raw = create_share_token(user=alice, job_ids=[job.pk])
    response = anon.get(f"/api/v1/shared/{raw}/")
    assert response.status_code == 200
    body = response.json()
    (shared,) = body["jobs"]
    assert shared["id"] == job.pk and shared["status"] == "running"
    assert [point["epoch"] for point in shared["points"]] == [1, 2, 3]
    last = shared["points"][-1]
    for key in ("val_accuracy", "activation_rate", "energy_savings", "compute_savings"):
        assert isinstance(last[key], float), key
    assert shared["progress"]["epoch"] == 3
    assert shared["target_activation_rate"] == 0.4


def test_public_api_leaks_no_owner_config_failure_text_or_paths(alice, anon):
    job = stored_job(alice, dataset="npz:/home/alice/secret-folder/data.npz")
    job.failure_reason = "Traceback in /srv/hub/internal.py"
    job.save()
    _, raw = create_share_token(user=alice, job_ids=[job.pk])
    text = anon.get(f"/api/v1/shared/{raw}/").content.decode()
    assert "alice" not in text and "@example.com" not in text
    assert "secret-folder" not in text and "npz:data.npz" in text
    assert "Traceback" not in text and "/srv/hub" not in text
    for key in ("learning_rate", "script_sha256", "samples_seen", "config", "owner", "step"):
        assert f'"{key}"' not in text, key


def test_public_api_accepts_the_token_as_a_bearer_header(alice):
    job = stored_job(alice)
    _, raw = create_share_token(user=alice, job_ids=[job.pk])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.get("/api/v1/shared/")
    assert response.status_code == 200
    assert response.json()["jobs"][0]["id"] == job.pk


def test_share_token_is_not_an_api_token(alice):
    _, raw = create_share_token(user=alice, job_ids=[stored_job(alice).pk])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/jobs/").status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_revoked_unknown_and_malformed_links_answer_404(alice, anon):
    share, raw = create_share_token(user=alice, job_ids=[stored_job(alice).pk])
    assert anon.get(f"/api/v1/shared/{raw}/").status_code == 200
    revoke_share_token(user=alice, share_id=share.pk)
    for token in (raw, SHARE_PREFIX + "x" * 43, "asthub_notashare", "nothing"):
        response = anon.get(f"/api/v1/shared/{token}/")
        assert response.status_code == 404, token
        assert response.json()["error"]["code"] == "not_found"
    assert anon.get("/api/v1/shared/").status_code == 404


def test_share_link_reads_count_against_the_owners_plan_rate(alice, api_as, anon):
    PlanOverride.objects.create(user=alice, api_requests_per_minute=4)
    _, raw = create_share_token(user=alice, job_ids=[stored_job(alice).pk])
    _, other = create_share_token(user=alice, job_ids=[stored_job(alice).pk])
    owner = api_as(alice)
    # One budget: the owner's REST requests and both links' reads draw on it together.
    assert owner.get("/api/v1/me").status_code == 200
    codes = [anon.get(f"/api/v1/shared/{raw}/").status_code for _ in range(2)]
    assert codes == [200, 200]
    assert anon.get(f"/api/v1/shared/{other}/").status_code == 200
    limited = anon.get(f"/api/v1/shared/{other}/")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    assert anon.get(f"/api/v1/shared/{raw}/").status_code == 429
    assert owner.get("/api/v1/me").status_code == 429


def test_public_endpoint_limits_each_address(alice, anon):
    from jobs.public_rate import PUBLIC_REQUESTS_PER_MINUTE

    codes = [
        anon.get(f"/api/v1/shared/{SHARE_PREFIX}{'x' * 43}/").status_code
        for _ in range(PUBLIC_REQUESTS_PER_MINUTE + 1)
    ]
    assert set(codes[:-1]) == {404}
    assert codes[-1] == 429


# --- owner REST -------------------------------------------------------------------------


def test_owner_creates_lists_and_revokes_links_over_rest(alice, api_as, anon):
    job = stored_job(alice)
    api = api_as(alice)
    created = api.post("/api/v1/shares", {"job_ids": [job.pk], "label": "demo"})
    assert created.status_code == 201, created.content
    raw = created.json()["token"]
    assert created.json()["page_url"].endswith(f"/share/{raw}/")
    assert created.json()["api_url"].endswith(f"/api/v1/shared/{raw}/")
    listed = api.get("/api/v1/shares").json()
    assert [row["label"] for row in listed] == ["demo"]
    assert listed[0]["job_ids"] == [job.pk] and listed[0]["active"] is True
    assert raw not in json.dumps(listed)
    share_id = listed[0]["id"]
    assert api.delete(f"/api/v1/shares/{share_id}").status_code == 204
    assert anon.get(f"/api/v1/shared/{raw}/").status_code == 404
    assert api.get(f"/api/v1/shares/{share_id}").json()["active"] is False


def test_bob_cannot_see_share_or_revoke_alices_links_over_rest(alice, bob, api_as):
    share, _ = create_share_token(user=alice, job_ids=[stored_job(alice).pk])
    api = api_as(bob)
    assert api.get("/api/v1/shares").json() == []
    assert api.get(f"/api/v1/shares/{share.pk}").status_code == 404
    assert api.delete(f"/api/v1/shares/{share.pk}").status_code == 404
    alices_job = share.jobs.get().pk
    assert api.post("/api/v1/shares", {"job_ids": [alices_job]}).status_code == 404


def test_read_only_token_cannot_create_links(alice, api_as):
    job = stored_job(alice)
    response = api_as(alice, ["jobs:read"]).post("/api/v1/shares", {"job_ids": [job.pk]})
    assert response.status_code == 403
    assert "jobs:write" in response.json()["error"]["message"]


def test_unknown_fields_and_bad_job_ids_are_400(alice, api_as):
    api = api_as(alice)
    assert api.post("/api/v1/shares", {"job_ids": [1], "owner": 2}).status_code == 400
    assert api.post("/api/v1/shares", {"job_ids": []}).status_code == 400
    assert api.post("/api/v1/shares", {"job_ids": ["x"]}).status_code == 400


def test_job_ids_beyond_the_database_range_are_not_found(alice, api_as):
    with pytest.raises(NotFound):
        create_share_token(user=alice, job_ids=[401755648233771433984])
    response = api_as(alice).post("/api/v1/shares", {"job_ids": [401755648233771433984]})
    assert response.status_code == 400


def test_a_shared_pair_names_each_other_and_states_the_saving_measured_between_them(alice, anon):
    baseline = stored_job(alice, baseline=True, name="plain", kwh_per_fe=2.0e-9)
    ast = stored_job(alice, paired_with=baseline, name="ast", kwh_per_fe=2.0e-9)
    _, both = create_share_token(user=alice, job_ids=[ast.pk, baseline.pk])
    jobs = {job["job_id"]: job for job in anon.get(f"/api/v1/shared/{both}/").json()["jobs"]}
    assert jobs[ast.pk]["paired_job_id"] == baseline.pk
    assert jobs[baseline.pk]["paired_job_id"] == ast.pk
    progress = jobs[ast.pk]["progress"]
    assert progress["energy_saved_basis"] == "measured against its baseline run"
    assert 0 < progress["energy_saved"] < 1 and progress["energy_source"] == "estimated"

    _, alone = create_share_token(user=alice, job_ids=[ast.pk])
    (only,) = anon.get(f"/api/v1/shared/{alone}/").json()["jobs"]
    # The baseline is not shared by this link: not even its id is.
    assert only["paired_job_id"] is None
    assert f"#{baseline.pk}" not in json.dumps(only)


def test_a_baseline_shared_alone_does_not_name_its_ast_run(alice, anon):
    baseline = stored_job(alice, baseline=True, name="plain")
    ast = stored_job(alice, paired_with=baseline, name="ast")
    _, raw = create_share_token(user=alice, job_ids=[baseline.pk])
    (only,) = anon.get(f"/api/v1/shared/{raw}/").json()["jobs"]
    assert only["paired_job_id"] is None
    assert only["progress"]["energy_saved_basis"] == (
        "this run is the plain-training baseline of an AST run"
    )
    assert f"#{ast.pk}" not in json.dumps(only)
