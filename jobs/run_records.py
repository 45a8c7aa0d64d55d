"""A stored job as the pure reporting layer reads it (jobs.reporting.RunRecord), with the
operator's prices. Light on purpose: the state machine and the metric writer use it to
compute a run's stored figures, and must not pull in plotting or card templates."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from jobs.models import TrainingJob
from jobs.reporting.pricing import PriceSettings
from jobs.reporting.records import RunRecord
from jobs.selectors import metric_points


def price_settings() -> PriceSettings:
    return PriceSettings(
        electricity_usd_per_kwh=settings.ELECTRICITY_USD_PER_KWH,
        grid_kg_co2_per_kwh=settings.GRID_KG_CO2_PER_KWH,
        local_device_watts=settings.LOCAL_DEVICE_WATTS,
    )


def run_record(job: TrainingJob) -> RunRecord:
    return RunRecord(
        id=job.pk,
        name=job.name or f"job-{job.pk}",
        platform=job.platform,
        hardware=job.hardware,
        dataset=job.dataset,
        model=job.model,
        is_baseline=job.is_baseline,
        config=job.config,
        engine_version=job.engine_version,
        script_sha256=job.script_sha256,
        status=job.status,
        started_at=job.started_at,
        finished_at=job.finished_at,
        metrics=metric_points(job),
        summary=job.summary,
        billed_seconds=billed_seconds(job),
    )


def billed_seconds(job: TrainingJob) -> float | None:
    """HF Jobs bill the job's running time, start to end (so far, while it runs)."""
    if job.platform != "huggingface":
        return None
    state = job.platform_state or {}
    if not state.get("started_at"):
        return None
    started = datetime.fromisoformat(state["started_at"])
    finished = datetime.fromisoformat(state["finished_at"]) if state.get("finished_at") else None
    return max(((finished or timezone.now()) - started).total_seconds(), 0.0)
