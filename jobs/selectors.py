"""Reads for training jobs. Every query starts from the user; another tenant's job is
"not found", never "forbidden"."""

from asthub_site.errors import NotFound
from jobs.models import Artifact, MetricPoint, Sweep, TrainingJob


def jobs_for(user, *, status=None, platform=None, is_baseline=None, sweep_id=None):
    jobs = TrainingJob.objects.for_user(user).select_related("paired_with")
    if status:
        jobs = jobs.filter(status=status)
    if platform:
        jobs = jobs.filter(platform=platform)
    if is_baseline is not None:
        jobs = jobs.filter(is_baseline=is_baseline)
    if sweep_id is not None:
        jobs = jobs.filter(sweep_id=sweep_id)
    return jobs


def job_for(
    user, job_id, *, fields: tuple[str, ...] = (), skip: tuple[str, ...] = ()
) -> TrainingJob:
    """The user's job. Hot reads that need part of a wide row read only `fields`, or all
    but `skip`; a column left out is read when first used."""
    jobs = TrainingJob.objects.for_user(user)
    if fields:
        jobs = jobs.only(*fields)
    if skip:
        jobs = jobs.defer(*skip)
    try:
        return jobs.get(pk=int(job_id))
    except (TrainingJob.DoesNotExist, TypeError, ValueError):
        raise NotFound(f"No training job {job_id}.") from None


def metric_points(job: TrainingJob, *, after_epoch: int | None = None) -> list[dict]:
    points = MetricPoint.objects.filter(job=job)
    if after_epoch is not None:
        points = points.filter(epoch__gt=after_epoch)
    return [point.data for point in points.order_by("epoch")]


def latest_point(job: TrainingJob) -> MetricPoint | None:
    return MetricPoint.objects.filter(job=job).order_by("-epoch").first()


def artifacts_of(job: TrainingJob):
    return Artifact.objects.filter(job=job).order_by("name")


def artifact_of(job: TrainingJob, name: str) -> Artifact:
    artifact = Artifact.objects.filter(job=job, name=name).first()
    if artifact is None:
        raise NotFound(f"Job {job.pk} has no artifact {name!r}.")
    return artifact


def sweeps_for(user):
    return Sweep.objects.for_user(user)


def sweep_for(user, sweep_id) -> Sweep:
    try:
        return Sweep.objects.for_user(user).get(pk=int(sweep_id))
    except (Sweep.DoesNotExist, TypeError, ValueError):
        raise NotFound(f"No sweep {sweep_id}.") from None
