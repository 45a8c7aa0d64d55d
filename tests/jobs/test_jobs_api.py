"""The jobs REST API: filters, pagination, scopes, sweeps, bad input and isolation."""

import pytest
from django.test import AsyncClient

from billing.models import JobSlots
from billing.services import change_plan
from jobs.models import TrainingJob
from jobs.queueing import start_waiting_jobs
from jobs.runs.metrics import record_metric
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db


def _start(api, **spec):
    response = api.post("/api/v1/jobs/", FAST | spec)
    assert response.status_code == 201, response.content
    return response.json()


def test_start_returns_the_job_with_its_exact_config(alice, api_as):
    job = _start(api_as(alice), name="first", ast_config={"target_activation_rate": 0.3})
    assert job["status"] == "queued" and job["name"] == "first"
    assert job["ast_config"]["target_activation_rate"] == 0.3
    assert job["config"]["ast"]["target_activation_rate"] == 0.3
    assert len(job["script_sha256"]) == 64 and job["engine_version"]
    assert job["progress"] is None


def test_list_filters_and_paginates_newest_first(alice, api_as):
    change_plan(user=alice, plan="pro")
    api = api_as(alice)
    ids = [_start(api)["id"] for _ in range(3)]
    TrainingJob.objects.filter(pk=ids[0]).update(status="failed")
    page = api.get("/api/v1/jobs/?page_size=2").json()
    assert page["count"] == 3 and [j["id"] for j in page["results"]] == ids[::-1][:2]
    assert api.get(page["next"]).json()["results"][0]["id"] == ids[0]
    failed = api.get("/api/v1/jobs/?status=failed").json()
    assert [j["id"] for j in failed["results"]] == [ids[0]]
    assert api.get("/api/v1/jobs/?is_baseline=maybe").status_code == 400


def test_progress_and_metrics_follow_stored_points(alice, api_as):
    api = api_as(alice)
    job_id = _start(api)["id"]
    for epoch in (1, 2):
        record_metric(
            job_id=job_id,
            point={
                "epoch": epoch,
                "epochs": 3,
                "val_accuracy": 0.5 + epoch / 10,
                "eta_seconds": 60.0,
            },
        )
    job = api.get(f"/api/v1/jobs/{job_id}/").json()
    assert job["progress"]["epoch"] == 2 and job["progress"]["eta_minutes"] == 1.0
    points = api.get(f"/api/v1/jobs/{job_id}/metrics/?after_epoch=1").json()["points"]
    assert [p["epoch"] for p in points] == [2]


def test_read_only_token_can_list_but_not_start_or_cancel(alice, api_as):
    job_id = _start(api_as(alice))["id"]
    reader = api_as(alice, scopes=["jobs:read"])
    assert reader.get("/api/v1/jobs/").status_code == 200
    refused = reader.post("/api/v1/jobs/", FAST)
    assert refused.status_code == 403 and "jobs:write" in refused.json()["error"]["message"]
    assert reader.post(f"/api/v1/jobs/{job_id}/cancel/").status_code == 403
    assert TrainingJob.objects.count() == 1


def test_free_users_second_concurrent_job_is_a_clear_403(alice, api_as):
    api = api_as(alice)
    _start(api)
    second = api.post("/api/v1/jobs/", FAST)
    assert second.status_code == 403
    assert second.json()["error"]["code"] == "quota_exceeded"
    assert TrainingJob.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"epochs": "ten"},
        {"epochs": 10_000},
        {"dataset": 5},
        {"ast_config": {"selection": "best"}},
        {"ast_config": {"target_activation_rate": 0}},
        {"ast_config": "fast"},
        {"unknown": True},
        {"platform": "colab"},
    ],
)
def test_bad_job_bodies_are_400_and_store_nothing(alice, api_as, body):
    response = api_as(alice).post("/api/v1/jobs/", FAST | body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"]
    assert not TrainingJob.objects.exists()


def test_sweep_starts_one_job_per_grid_point_and_ranks_them(alice, api_as):
    change_plan(user=alice, plan="pro")
    api = api_as(alice)
    grid = {"target_activation_rate": [0.2, 0.4], "entropy_weight": [0.1, 0.3]}
    created = api.post("/api/v1/sweeps/", {"spec": FAST, "grid": grid})
    assert created.status_code == 201, created.content
    sweep = created.json()
    assert len(sweep["job_ids"]) == 4
    params = sorted(
        (p["params"]["target_activation_rate"], p["params"]["entropy_weight"])
        for p in sweep["summary"]["points"]
    )
    assert params == [(0.2, 0.1), (0.2, 0.3), (0.4, 0.1), (0.4, 0.3)]
    jobs = api.get(f"/api/v1/jobs/?sweep={sweep['id']}").json()
    assert jobs["count"] == 4
    assert api.get(f"/api/v1/sweeps/{sweep['id']}/").json()["id"] == sweep["id"]


def test_sweep_over_the_monthly_quota_starts_nothing(alice, api_as):
    grid = {"seed": list(range(11))}  # Free allows 10 jobs a month
    response = api_as(alice).post("/api/v1/sweeps/", {"spec": FAST, "grid": grid})
    assert response.status_code == 403
    assert "10 training jobs a month" in response.json()["error"]["message"]
    assert not TrainingJob.objects.exists()


def test_several_architectures_at_once_run_within_the_concurrency_limit_and_queue_the_rest(
    alice, api_as, django_capture_on_commit_callbacks
):
    change_plan(user=alice, plan="pro")  # five at a time
    models = [
        "mlp",
        "cnn",
        "resnet18",
        "resnet50",
        "mobilenet_v3_small",
        "efficientnet_b0",
        "convnext_tiny",
    ]
    api = api_as(alice)
    created = api.post("/api/v1/sweeps/", {"spec": FAST, "grid": {"model": models}})
    assert created.status_code == 201, created.content
    jobs = api.get(f"/api/v1/jobs/?sweep={created.json()['id']}&page_size=20").json()["results"]
    assert sorted(job["model"] for job in jobs) == sorted(models)
    # Each ranked point names the model it ran (a spec key, not an AST setting).
    points = api.get(f"/api/v1/sweeps/{created.json()['id']}/").json()["summary"]["points"]
    assert sorted(point["params"]["model"] for point in points) == sorted(models)
    waiting = [job for job in jobs if job["waiting_for_slot"]]
    assert len(waiting) == 2 and all(job["status"] == "queued" for job in jobs)
    assert JobSlots.objects.get(user=alice).running_jobs == 5
    # A finished run hands its slot to the oldest waiting one.
    first_running = min(job["id"] for job in jobs if not job["waiting_for_slot"])
    with django_capture_on_commit_callbacks() as callbacks:
        api.post(f"/api/v1/jobs/{first_running}/cancel/")
    assert callbacks  # the wake-up is sent once the cancel commits; run it as the worker would
    start_waiting_jobs(user_id=alice.pk)
    refreshed = api.get(f"/api/v1/jobs/?sweep={created.json()['id']}&page_size=20").json()
    assert sum(job["waiting_for_slot"] for job in refreshed["results"]) == 1
    assert JobSlots.objects.get(user=alice).running_jobs == 5


def test_sweep_grid_must_name_settings_a_sweep_can_vary(alice, api_as):
    grid = {"platform": ["local", "kaggle"]}
    response = api_as(alice).post("/api/v1/sweeps/", {"spec": FAST, "grid": grid})
    assert response.status_code == 400
    assert "cannot vary platform" in response.json()["error"]["message"]
    assert not TrainingJob.objects.exists()


def test_every_job_endpoint_is_404_for_another_tenant(alice, bob, api_as):
    change_plan(user=alice, plan="pro")
    alice_api = api_as(alice)
    job_id = _start(alice_api)["id"]
    sweep_id = alice_api.post(
        "/api/v1/sweeps/", {"spec": FAST, "grid": {"entropy_weight": [0.1]}}
    ).json()["id"]
    bob_api = api_as(bob)
    for method, path in [
        ("get", f"/api/v1/jobs/{job_id}/"),
        ("post", f"/api/v1/jobs/{job_id}/cancel/"),
        ("post", f"/api/v1/jobs/{job_id}/rerun/"),
        ("get", f"/api/v1/jobs/{job_id}/metrics/"),
        ("get", f"/api/v1/jobs/{job_id}/artifacts/"),
        ("get", f"/api/v1/sweeps/{sweep_id}/"),
    ]:
        response = getattr(bob_api, method)(path)
        assert response.status_code == 404, (method, path, response.status_code)
    assert bob_api.get("/api/v1/jobs/").json()["count"] == 0
    assert bob_api.get("/api/v1/sweeps/").json()["count"] == 0
    assert TrainingJob.objects.get(pk=job_id).status == "queued"


@pytest.mark.anyio
@pytest.mark.django_db(transaction=True)
async def test_event_stream_refuses_strangers_before_streaming(alice, bob, token_for):
    from asgiref.sync import sync_to_async
    from django.db import connections

    from jobs.services import start_training
    from jobs.spec import JobSpec

    job = await sync_to_async(start_training)(user=alice, spec=JobSpec.from_dict(FAST))
    bob_token = await sync_to_async(token_for)(bob)
    reader_without_jobs = await sync_to_async(token_for)(alice, ["billing:read"])
    client = AsyncClient()
    path = f"/api/v1/jobs/{job.pk}/events"
    anonymous = await client.get(path)
    assert anonymous.status_code == 401 and "WWW-Authenticate" in anonymous.headers
    stranger = await client.get(path, headers={"Authorization": f"Bearer {bob_token}"})
    assert stranger.status_code == 404
    unscoped = await client.get(path, headers={"Authorization": f"Bearer {reader_without_jobs}"})
    assert unscoped.status_code == 403
    await sync_to_async(connections.close_all)()  # the executor thread's connection


@pytest.mark.parametrize("page", ["", "x", "-1"])
def test_malformed_page_numbers_are_a_clear_400(alice, api_as, page):
    response = api_as(alice).get(f"/api/v1/jobs/?page={page}")
    assert response.status_code == 400
    assert "page must be a positive integer" in response.json()["error"]["message"]


def test_an_empty_or_oversized_integer_filter_is_refused_not_ignored(alice, api_as):
    api = api_as(alice)
    for query in ("?sweep=", "?sweep=99999999999999999999", "?sweep=%D9%A3"):
        response = api.get(f"/api/v1/jobs/{query}")
        assert response.status_code == 400, query
        assert "sweep must be a non-negative integer" in response.json()["error"]["message"]
    assert api.get("/api/v1/competitions/submissions/?job=").status_code == 400
    assert api.get("/api/v1/jobs/?sweep=7").status_code == 200
