"""REST and MCP show each resource under one set of field names, from one presenter;
REST's old names stay as aliases holding the same values for one release."""

import json

import pytest
from rest_framework.utils.encoders import JSONEncoder

from jobs.models import Publication
from jobs.sharing.services import create_share_token
from mcp_gateway import schemas
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db


def _as_json(model) -> dict:
    """An MCP answer as a client reads it (structuredContent is its JSON)."""
    return json.loads(model.model_dump_json())


def _rest_json(data: dict) -> dict:
    return json.loads(json.dumps(data, cls=JSONEncoder))


def _same_values(mcp: dict, rest: dict) -> None:
    shared = set(mcp) & set(rest)
    assert {key: mcp[key] for key in shared} == {key: rest[key] for key in shared}


def test_a_job_has_the_same_names_and_values_on_rest_and_mcp(alice, api_as):
    from jobs.selectors import job_for

    api = api_as(alice)
    started = api.post("/api/v1/jobs/", FAST | {"with_baseline": True})
    assert started.status_code == 201, started.content
    rest = api.get(f"/api/v1/jobs/{started.json()['id']}/").json()

    assert rest["job_id"] == rest["id"]
    assert rest["baseline_job_id"] == rest["baseline_id"] is not None
    mcp = _as_json(schemas.JobSummary.of(job_for(alice, rest["job_id"])))
    # Every field MCP shows is REST's, under the same name with the same value.
    assert set(mcp) <= set(rest)
    _same_values(mcp, _rest_json(rest))


def test_a_share_link_and_a_publication_share_names_across_surfaces(alice, api_as):
    from jobs.selectors import job_for

    api = api_as(alice)
    job_id = api.post("/api/v1/jobs/", FAST).json()["job_id"]
    share, _ = create_share_token(user=alice, job_ids=[job_id], label="paper")
    rest_share = api.get(f"/api/v1/shares/{share.pk}").json()
    assert rest_share["share_id"] == rest_share["id"] == share.pk
    mcp_share = _as_json(schemas.ShareLinkOut.of(share))
    assert set(mcp_share) <= set(rest_share)
    _same_values(mcp_share, rest_share)

    publication = Publication.objects.create(
        owner=alice, job=job_for(alice, job_id), source_platform="local",
        target_platform="local", target_ref="alice/digits",
    )  # fmt: skip
    rest_publication = api.get(f"/api/v1/publications/{publication.pk}/").json()
    assert rest_publication["publication_id"] == rest_publication["id"] == publication.pk
    mcp_publication = _as_json(schemas.PublicationOut.of(publication))
    assert set(mcp_publication) <= set(rest_publication)
    _same_values(mcp_publication, rest_publication)


def test_progress_uses_the_rest_names_and_keeps_the_old_mcp_names_as_aliases(alice, api_as):
    from jobs.monitoring import monitor_training
    from jobs.runs.metrics import record_metric

    api = api_as(alice)
    job_id = api.post("/api/v1/jobs/", FAST).json()["job_id"]
    record_metric(
        job_id=job_id,
        point={"epoch": 1, "epochs": 3, "val_accuracy": 0.7, "wall_seconds": 1.0,
               "energy_kwh": 0.0001},
    )  # fmt: skip
    rest = api.get(f"/api/v1/jobs/{job_id}/").json()["progress"]
    mcp = _as_json(
        schemas.Progress.of(monitor_training(user=alice, job_id=job_id, include_history=False))
    )
    assert set(rest) <= set(mcp)
    _same_values(mcp, rest)
    assert mcp["accuracy"] == mcp["val_accuracy"] == 0.7
    assert mcp["last_update"] == mcp["updated_at"]
