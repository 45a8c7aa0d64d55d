"""The seed's "research publication" workflow, for real on the local platform: AST and
baseline on digits, wait for both, compare, generate the card."""

import pytest
import yaml

from jobs import selectors
from jobs.models import JobStatus, TrainingJob
from tests.jobs.conftest import FAST

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_research_workflow_compares_two_real_runs_and_publishes_a_card(
    pro_alice, api_as, eager_tasks
):
    api = api_as(pro_alice)
    with eager_tasks(execute=True):
        started = api.post("/api/v1/jobs/", FAST | {"with_baseline": True, "name": "digits-ast"})
    assert started.status_code == 201, started.content
    ast_id, baseline_id = started.json()["id"], started.json()["baseline_id"]
    ast_job, baseline_job = (
        TrainingJob.objects.get(pk=ast_id),
        TrainingJob.objects.get(pk=baseline_id),
    )
    assert (ast_job.status, baseline_job.status) == (JobStatus.SUCCEEDED, JobStatus.SUCCEEDED)

    comparison = api.post("/api/v1/compare/", {"ast_run_id": ast_id}).json()
    ast_points = selectors.metric_points(ast_job)
    base_points = selectors.metric_points(baseline_job)
    assert comparison["baseline_run_id"] == baseline_id and comparison["estimated"] is False
    expected_diff = ast_points[-1]["val_accuracy"] - base_points[-1]["val_accuracy"]
    assert comparison["accuracy_diff"] == pytest.approx(expected_diff)
    expected_compute = 1 - (
        ast_points[-1]["forward_equivalents"] / base_points[-1]["forward_equivalents"]
    )
    assert comparison["compute_savings"] == pytest.approx(expected_compute)
    assert 0 < comparison["compute_savings"] < 1
    assert "\\begin{tabular}" in comparison["latex"] and "|" in comparison["markdown"]

    card = api.post(f"/api/v1/jobs/{ast_id}/model-card/", {"template": "research"})
    assert card.status_code == 201, card.content
    markdown = card.json()["markdown"]
    front = yaml.safe_load(markdown.split("---")[1])
    assert "adaptive-sparse-training" in front["tags"]
    assert "co2_eq_emissions" in front
    accuracy = front["model-index"][0]["results"][0]["metrics"][0]["value"]
    assert accuracy == pytest.approx(ast_points[-1]["val_accuracy"], abs=1e-3)
    for plot in card.json()["plots"]:
        assert api.get(plot["url"]).status_code == 200
    # Each download carries its own content type (not one type for every file).
    types = {
        name: api.get(f"/api/v1/jobs/{ast_id}/artifacts/{name}")["Content-Type"]
        for name in ("summary.json", "model.safetensors")
    }
    assert types == {
        "summary.json": "application/json",
        "model.safetensors": "application/octet-stream",
    }
    assert api.get(f"/api/v1/jobs/{ast_id}/model-card/").json()["template"] == "research"


def test_compare_without_a_baseline_says_it_is_estimated(alice, api_as, eager_tasks):
    api = api_as(alice)
    with eager_tasks(execute=True):
        job_id = api.post("/api/v1/jobs/", FAST).json()["id"]
    comparison = api.post("/api/v1/compare/", {"ast_run_id": job_id}).json()
    assert comparison["estimated"] is True and comparison["accuracy_diff"] is None
    assert comparison["compute_savings"] > 0


def test_bob_cannot_compare_or_card_alices_runs(alice, bob, api_as, eager_tasks):
    with eager_tasks(execute=True):
        job_id = api_as(alice).post("/api/v1/jobs/", FAST).json()["id"]
    bob_api = api_as(bob)
    assert bob_api.post("/api/v1/compare/", {"ast_run_id": job_id}).status_code == 404
    assert bob_api.post(f"/api/v1/jobs/{job_id}/model-card/", {}).status_code == 404
    assert bob_api.get(f"/api/v1/jobs/{job_id}/model-card/").status_code == 404
    assert bob_api.get(f"/api/v1/jobs/{job_id}/artifacts/").status_code == 404
    assert bob_api.get(f"/api/v1/jobs/{job_id}/artifacts/summary.json").status_code == 404
