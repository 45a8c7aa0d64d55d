"""The artifact store: the local filesystem by default, S3-compatible when
ARTIFACT_STORAGE_URL=s3://bucket/prefix?endpoint_url=...&region=... is set."""

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage

from billing.quotas import record_artifact_bytes
from jobs.models import Artifact, TrainingJob

# Engine files that are internal state, not results.
SKIPPED_NAMES = frozenset({"checkpoint.pt", "script.py.lock"})


@cache
def _storage_for(url: str) -> Storage:
    if not url:
        return FileSystemStorage(location=settings.VAR_DIR / "artifacts")
    parsed = urlparse(url)
    if parsed.scheme != "s3":
        raise ValueError(f"ARTIFACT_STORAGE_URL must be s3://bucket/prefix, not {url!r}")
    from storages.backends.s3 import S3Storage

    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    return S3Storage(
        bucket_name=parsed.netloc,
        location=parsed.path.strip("/"),
        endpoint_url=options.get("endpoint_url"),
        region_name=options.get("region"),
        default_acl=None,
        file_overwrite=True,
        querystring_auth=False,
    )


def artifact_storage() -> Storage:
    return _storage_for(settings.ARTIFACT_STORAGE_URL)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def store_artifacts(job: TrainingJob, out_dir: Path) -> list[Artifact]:
    """Copy a finished run's outputs into the store. Safe to run twice (same keys): a
    file written again counts only the difference against the owner's storage."""
    storage = artifact_storage()
    stored = []
    previous = dict(Artifact.objects.filter(job=job).values_list("name", "size"))
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        name = path.relative_to(out_dir).as_posix()
        if path.name in SKIPPED_NAMES:
            continue
        key = f"jobs/{job.owner_id}/{job.pk}/{name}"
        if storage.exists(key):
            storage.delete(key)
        with open(path, "rb") as handle:
            saved_key = storage.save(key, File(handle, name=path.name))
        size = path.stat().st_size
        artifact, _ = Artifact.objects.update_or_create(
            job=job,
            name=name,
            defaults={"storage_key": saved_key, "size": size, "sha256": _sha256(path)},
        )
        record_artifact_bytes(user_id=job.owner_id, delta=size - previous.get(name, 0))
        stored.append(artifact)
    return stored


def open_artifact(artifact: Artifact):
    return artifact_storage().open(artifact.storage_key, "rb")
