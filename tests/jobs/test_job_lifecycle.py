"""Starting, running, cancelling and rerunning jobs on the local platform."""

import pytest

from asthub_site.errors import Conflict, InvalidInput, NotFound, QuotaExceeded
from billing.models import JobSlots
from jobs import selectors, services, state
from jobs.models import JobStatus, MetricPoint, TrainingJob
from jobs.monitoring import monitor_training
from jobs.platforms.local import LocalAdapter
from jobs.runs.handles import handle_for
from jobs.runs.metrics import record_metric
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db


def _start(user, capture, **overrides):
    with capture(execute=True):
        job = services.start_training(user=user, spec=JobSpec.from_dict(FAST | overrides))
    job.refresh_from_db()
    return job


def test_local_job_runs_to_success_with_one_point_per_epoch(alice, eager_tasks):
    job = _start(alice, eager_tasks)
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    points = selectors.metric_points(job)
    assert [p["epoch"] for p in points] == [1, 2, 3]
    assert all(0 <= p["val_accuracy"] <= 1 for p in points)
    assert points[-1]["compute_savings"] > 0  # AST trained fewer rows than plain training
    names = {artifact.name for artifact in selectors.artifacts_of(job)}
    assert {"model.safetensors", "metrics.jsonl", "summary.json", "config.json"} <= names
    assert job.summary["status"] == "completed" and job.started_at and job.finished_at
    assert JobSlots.objects.get(user=alice).running_jobs == 0

    monitor = monitor_training(user=alice, job_id=job.pk)
    assert (monitor["status"], monitor["epoch"], monitor["epochs"]) == ("succeeded", 3, 3)
    assert monitor["val_accuracy"] == points[-1]["val_accuracy"]
    assert monitor["compute_savings"] == points[-1]["compute_savings"]
    assert monitor["cost_usd"] > 0 and monitor["cost_saved_usd"] > 0
    assert len(monitor["history"]) == 3

    polled = LocalAdapter().poll(handle_for(job), None)
    assert polled.state == "succeeded" and [p["epoch"] for p in polled.metrics] == [1, 2, 3]


def test_rerun_reproduces_config_and_script_hash(alice, eager_tasks):
    first = _start(alice, eager_tasks, seed=7)
    with eager_tasks(execute=True):
        second = services.rerun_training(user=alice, job_id=first.pk)
    second.refresh_from_db()
    assert second.rerun_of_id == first.pk
    assert (second.config, second.script_sha256) == (first.config, first.script_sha256)
    deterministic = ("val_accuracy", "train_loss", "activation_rate", "samples_activated")

    def learning(job):
        return [[p[k] for k in deterministic] for p in selectors.metric_points(job)]

    assert learning(second) == learning(first)


def test_cancelling_a_queued_job_frees_its_slot(alice):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    assert JobSlots.objects.get(user=alice).running_jobs == 1
    cancelled = services.cancel_training(user=alice, job_id=job.pk)
    assert cancelled.status == JobStatus.CANCELLED
    assert JobSlots.objects.get(user=alice).running_jobs == 0
    with pytest.raises(Conflict, match="already cancelled"):
        services.cancel_training(user=alice, job_id=job.pk)


def test_terminal_state_is_reached_once_and_frees_one_slot(alice):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    assert state.transition(job.pk, JobStatus.LAUNCHING)
    assert not state.transition(job.pk, JobStatus.SUCCEEDED)  # must be running first
    assert state.transition(job.pk, JobStatus.RUNNING)
    assert state.transition(job.pk, JobStatus.FAILED, failure_reason="boom")
    assert not state.transition(job.pk, JobStatus.CANCELLED)
    assert JobSlots.objects.get(user=alice).running_jobs == 0


def test_a_metric_line_is_stored_once(alice):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    point = {"epoch": 1, "epochs": 3, "val_accuracy": 0.5}
    assert record_metric(job_id=job.pk, point=point)
    assert not record_metric(job_id=job.pk, point=point | {"val_accuracy": 0.9})
    assert MetricPoint.objects.get(job=job).data["val_accuracy"] == 0.5


def test_free_plan_baseline_waits_for_the_ast_run_and_runs_after_it(alice, eager_tasks):
    job = services.start_training(
        user=alice, spec=JobSpec.from_dict(FAST | {"with_baseline": True})
    )
    baseline = job.paired_with
    assert job.holds_slot and not baseline.holds_slot
    assert JobSlots.objects.get(user=alice).running_jobs == 1
    assert JobSlots.objects.get(user=alice).jobs_this_period == 2
    with eager_tasks(execute=True):
        services.cancel_training(user=alice, job_id=job.pk)
    baseline.refresh_from_db()
    # The freed slot went to the waiting baseline, which then ran to the end.
    assert baseline.status == JobStatus.SUCCEEDED, baseline.failure_reason
    assert JobSlots.objects.get(user=alice).running_jobs == 0


def test_cancelling_a_waiting_job_gives_back_no_slot_it_never_held(alice):
    job = services.start_training(
        user=alice, spec=JobSpec.from_dict(FAST | {"with_baseline": True})
    )
    services.cancel_training(user=alice, job_id=job.paired_with_id)
    assert JobSlots.objects.get(user=alice).running_jobs == 1
    state.transition(job.pk, JobStatus.CANCELLED)
    assert JobSlots.objects.get(user=alice).running_jobs == 0


def test_pro_run_with_baseline_stores_the_pair(pro_alice):
    job = services.start_training(
        user=pro_alice, spec=JobSpec.from_dict(FAST | {"with_baseline": True})
    )
    baseline = job.paired_with
    assert baseline.is_baseline and not job.is_baseline
    assert baseline.config == job.config
    assert JobSlots.objects.get(user=pro_alice).jobs_this_period == 2


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"dataset": "csv:/etc/passwd"}, "names a path"),
        ({"epochs": 0}, "epochs"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"ast_config": {"target_activation_rate": 2}}, "target_activation_rate"),
        ({"ast_config": {"gain": 1}}, "Unknown field.*ast_config.gain"),
        ({"owner": 2}, "Unknown field"),
        ({"auto_upload_hf": True}, "hf_repo"),
        ({"platform": "colab"}, "platform: Input should be 'local', 'kaggle' or 'huggingface'"),
    ],
)
def test_bad_specs_are_refused_before_anything_is_stored(alice, spec, message):
    with pytest.raises(InvalidInput, match=message):
        services.start_training(user=alice, spec=JobSpec.from_dict(FAST | spec))
    assert not TrainingJob.objects.exists()
    assert JobSlots.objects.get(user=alice).jobs_this_period == 0


def test_free_plan_cannot_use_a100_hardware(alice):
    spec = FAST | {"platform": "huggingface", "hardware": "a100-large"}
    with pytest.raises(QuotaExceeded, match="a100-large"):
        services.start_training(user=alice, spec=JobSpec.from_dict(spec))


def test_bob_cannot_touch_alices_job(alice, bob):
    job = services.start_training(user=alice, spec=JobSpec.from_dict(FAST))
    for call in (
        lambda: services.cancel_training(user=bob, job_id=job.pk),
        lambda: services.rerun_training(user=bob, job_id=job.pk),
        lambda: selectors.job_for(bob, job.pk),
    ):
        with pytest.raises(NotFound):
            call()
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED


def test_engine_failure_becomes_the_jobs_failure_reason(alice, eager_tasks, monkeypatch):
    from jobs.catalog import checks

    # A catalog that lists a model the engine cannot build (a stale models.json): the
    # start is accepted, and the engine's own error is what the user reads.
    builtin = checks.model_entry_named("mlp")
    monkeypatch.setattr(checks, "model_entry_named", lambda name: builtin)
    job = _start(alice, eager_tasks, model="resnet_does_not_exist")
    assert job.status == JobStatus.FAILED
    assert "resnet_does_not_exist" in job.failure_reason
    assert JobSlots.objects.get(user=alice).running_jobs == 0


def test_run_past_the_plans_maximum_runtime_is_stopped_and_failed(alice, eager_tasks, monkeypatch):
    from billing import quotas
    from jobs.platforms.local.processes import engines_of_this_hub

    # The same supervision as a real run, with a 3-second limit instead of the plan's hours.
    monkeypatch.setattr(quotas, "max_runtime_seconds", lambda *, user: 3)
    job = _start(alice, eager_tasks, dataset="mnist1d", epochs=500)
    assert job.status == JobStatus.FAILED and "maximum runtime" in job.failure_reason
    assert job.engine_pgid is None and not engines_of_this_hub()
    assert JobSlots.objects.get(user=alice).running_jobs == 0


def test_resnet18_trains_on_digits_resized_on_the_local_platform(alice, eager_tasks):
    job = _start(alice, eager_tasks, model="resnet18", epochs=1, image_size=16)
    assert job.status == JobStatus.SUCCEEDED, job.failure_reason
    assert job.config["model"] == "resnet18" and job.config["image_size"] == 16
    [point] = selectors.metric_points(job)
    assert point["val_accuracy"] is not None
