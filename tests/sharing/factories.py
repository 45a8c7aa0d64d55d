"""Stored jobs shaped like finished (or running) engine runs, without training: the
metric points and summary come from tests.reporting.factories.make_run, which follows
the engine's own accounting."""

from django.utils import timezone

from jobs.models import JobStatus, MetricPoint, TrainingJob
from tests.reporting.factories import make_run


def stored_job(
    owner,
    *,
    status: str = JobStatus.SUCCEEDED,
    baseline: bool = False,
    epochs: int = 5,
    epochs_done: int | None = None,
    dataset: str = "digits",
    name: str = "digits-ast",
    paired_with: TrainingJob | None = None,
    accuracies: list[float] | None = None,
    kwh_per_fe: float = 2.0e-9,
    energy_source: str = "estimated",
) -> TrainingJob:
    record = make_run(
        baseline=baseline,
        epochs=epochs,
        epochs_done=epochs_done,
        dataset=dataset,
        accuracies=accuracies,
        status=status,
        with_summary=status == JobStatus.SUCCEEDED,
        kwh_per_fe=kwh_per_fe,
        energy_source=energy_source,
    )
    job = TrainingJob.objects.create(
        owner=owner,
        name=name,
        dataset=dataset,
        model=record.model,
        epochs=epochs,
        batch_size=128,
        learning_rate=0.001,
        hardware="cpu",
        ast_config={} if baseline else {"target_activation_rate": 0.4, "entropy_weight": 0.3},
        is_baseline=baseline,
        paired_with=paired_with,
        config=record.config,
        engine_version=record.engine_version,
        script_sha256=record.script_sha256,
        status=status,
        slot_period=timezone.now().date().replace(day=1),
        started_at=record.started_at,
        finished_at=record.finished_at,
        summary=record.summary,
    )
    for point in record.metrics:
        MetricPoint.objects.create(job=job, epoch=point["epoch"], data=point)
    return job
