"""A run's derived figures are computed when a metric point arrives or the run ends and
stored with it, so reading a run's progress is one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs import selectors, services, state
from jobs.figures import FIGURES_VERSION, compute_figures
from jobs.models import JobStatus, TrainingJob
from jobs.presenters.progress import present_progress
from jobs.runs.metrics import record_metric
from jobs.spec import JobSpec

pytestmark = pytest.mark.django_db


def _point(epoch, *, accuracy, wall=2.0):
    return {
        "epoch": epoch,
        "epochs": 3,
        "val_accuracy": accuracy,
        "train_loss": 0.5,
        "activation_rate": 0.5,
        "compute_savings": 0.4,
        "energy_savings": 0.3,
        "energy_kwh": 0.0001 * epoch,
        "samples_seen": 100 * epoch,
        "samples_total": 200 * epoch,
        "wall_seconds": wall * epoch,
        "eta_seconds": 120.0 * (3 - epoch),
    }


@pytest.fixture
def running_job(alice):
    job = services.start_training(
        user=alice, spec=JobSpec.from_dict({"dataset": "digits", "model": "mlp", "epochs": 3})
    )
    state.transition(job.pk, JobStatus.LAUNCHING)
    state.transition(job.pk, JobStatus.RUNNING)
    return job


def test_a_new_metric_point_updates_the_stored_figures(running_job):
    record_metric(job_id=running_job.pk, point=_point(1, accuracy=0.6))
    record_metric(job_id=running_job.pk, point=_point(2, accuracy=0.8))

    stored = TrainingJob.objects.get(pk=running_job.pk).figures
    assert stored["version"] == FIGURES_VERSION
    progress = stored["progress"]
    assert (progress["epoch"], progress["val_accuracy"], progress["eta_minutes"]) == (2, 0.8, 2.0)
    assert progress["cost_usd"] > 0 and progress["cost_basis"]


def test_reading_a_runs_progress_is_one_query(alice, running_job):
    for epoch in (1, 2, 3):
        record_metric(job_id=running_job.pk, point=_point(epoch, accuracy=0.5 + epoch / 10))

    with CaptureQueriesContext(connection) as queries:
        progress = present_progress(selectors.job_for(alice, running_job.pk))
    assert len(queries) == 1, [query["sql"] for query in queries]
    assert (progress["epoch"], progress["val_accuracy"]) == (3, 0.8)


def test_the_run_ending_recomputes_its_figures(running_job):
    record_metric(job_id=running_job.pk, point=_point(1, accuracy=0.6))
    TrainingJob.objects.filter(pk=running_job.pk).update(figures={"version": FIGURES_VERSION,
                                                                  "progress": None})  # fmt: skip
    state.transition(running_job.pk, JobStatus.SUCCEEDED)

    job = TrainingJob.objects.get(pk=running_job.pk)
    assert job.figures == compute_figures(job)
    assert job.figures["progress"]["epoch"] == 1


def test_figures_of_an_older_shape_are_recomputed_on_the_first_read(alice, running_job):
    record_metric(job_id=running_job.pk, point=_point(1, accuracy=0.6))
    TrainingJob.objects.filter(pk=running_job.pk).update(figures={"version": 0, "old": True})

    progress = present_progress(selectors.job_for(alice, running_job.pk))
    assert progress["val_accuracy"] == 0.6
    assert TrainingJob.objects.get(pk=running_job.pk).figures["version"] == FIGURES_VERSION


def test_an_ast_runs_saving_is_remeasured_when_its_baseline_finishes_last(alice):
    from jobs.figures import refresh_figures
    from tests.sharing.factories import stored_job

    baseline = stored_job(alice, baseline=True, name="plain", status=JobStatus.RUNNING)
    ast = stored_job(alice, paired_with=baseline, name="ast")
    refresh_figures(ast.pk)
    before = TrainingJob.objects.get(pk=ast.pk).figures["progress"]
    assert (
        before["energy_saved_basis"]
        == f"engine estimate until baseline run #{baseline.pk} succeeds"
    )

    finished = stored_job(alice, baseline=True, name="plain")  # a whole baseline's metrics
    TrainingJob.objects.filter(pk=baseline.pk).update(
        status=JobStatus.SUCCEEDED, summary=finished.summary, finished_at=finished.finished_at
    )
    baseline.metric_points.all().delete()
    for point in finished.metric_points.all():
        baseline.metric_points.create(epoch=point.epoch, data=point.data)
    refresh_figures(baseline.pk)
    after = TrainingJob.objects.get(pk=ast.pk).figures["progress"]
    assert after["energy_saved_basis"] == f"measured against baseline run #{baseline.pk}"
    assert after["energy_saved"] is not None and after["energy_saved"] != before["energy_saved"]


def test_a_cancelled_run_keeps_the_engines_estimate_against_a_finished_baseline(alice):
    from jobs.figures import refresh_figures
    from tests.sharing.factories import stored_job

    baseline = stored_job(alice, baseline=True, name="plain")
    ast = stored_job(
        alice, paired_with=baseline, name="ast", status=JobStatus.CANCELLED, epochs_done=3
    )
    refresh_figures(ast.pk)
    progress = TrainingJob.objects.get(pk=ast.pk).figures["progress"]
    # Its partial energy against the baseline's whole run would read as a saving never made.
    assert progress["energy_saved_basis"] == "engine estimate (this run cancelled)"
