"""Storing the engine's metric points: each once, whoever reads it and however often."""

from django.db import IntegrityError, transaction

from jobs.events import publish_job_event
from jobs.figures import refresh_figures
from jobs.models import MetricPoint


def record_metric(*, job_id: int, point: dict) -> bool:
    """Store one engine metric line once (idempotent on job and epoch)."""
    epoch = point.get("epoch")
    if not isinstance(epoch, int) or epoch < 0:
        return False
    try:
        with transaction.atomic():
            _, created = MetricPoint.objects.get_or_create(
                job_id=job_id, epoch=epoch, defaults={"data": point}
            )
    except IntegrityError:
        return False
    if created:
        refresh_figures(job_id)  # before the wake-up, so followers read the new figures
        publish_job_event(job_id)
    return created


def record_metrics(*, job_id: int, points: list[dict]) -> int:
    return sum(record_metric(job_id=job_id, point=point) for point in points)
