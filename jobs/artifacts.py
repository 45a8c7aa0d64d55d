"""The artifact store: the local filesystem by default, S3-compatible when
ARTIFACT_STORAGE_URL=s3://bucket/prefix?endpoint_url=...&region=...[&public_endpoint_url=...]
is set.

Downloads carry the file's own content type. From S3 they are a redirect to a presigned
URL, so a multi-gigabyte checkpoint goes from the bucket to the caller without passing
through a web worker."""

import hashlib
import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

from billing.quotas import record_artifact_bytes
from jobs.models import Artifact, TrainingJob

# How long a presigned download link stays valid: long enough to start a download (S3
# finishes one that has started), short enough that a leaked link soon stops working.
PRESIGNED_URL_SECONDS = 300

# Engine files that are internal state, not results.
SKIPPED_NAMES = frozenset({"checkpoint.pt", "script.py.lock"})


def _s3_storage(url: str, *, public: bool) -> Storage:
    parsed = urlparse(url)
    if parsed.scheme != "s3":
        raise ValueError(f"ARTIFACT_STORAGE_URL must be s3://bucket/prefix, not {url!r}")
    from storages.backends.s3 import S3Storage

    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    endpoint = options.get("endpoint_url")
    if public:
        endpoint = options.get("public_endpoint_url", endpoint)
    return S3Storage(
        bucket_name=parsed.netloc,
        location=parsed.path.strip("/"),
        endpoint_url=endpoint,
        region_name=options.get("region"),
        default_acl=None,
        file_overwrite=True,
        # url() answers presigned links (downloads redirect to them), never public ones.
        querystring_auth=True,
        querystring_expire=PRESIGNED_URL_SECONDS,
        # Signature V4: what AWS requires in every region opened since 2014, and MinIO.
        signature_version="s3v4",
    )


@cache
def _storage_for(url: str) -> Storage:
    if not url:
        return FileSystemStorage(location=settings.VAR_DIR / "artifacts")
    return _s3_storage(url, public=False)


@cache
def _link_signer_for(url: str) -> Storage:
    """The store that signs download links. A presigned URL is signed for its host, so
    where the hub reaches the bucket at an inner address (http://minio:9000 in compose)
    the links are signed for the address callers reach (`public_endpoint_url`). Signing is
    local: this store never calls the bucket."""
    return _s3_storage(url, public=True)


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


def content_type_of(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def download_response(storage_key: str, name: str) -> HttpResponse:
    """The stored file `storage_key` as a download named after `name`'s last part: its
    bytes from the local store, a redirect to a presigned URL from S3 (the presigned
    request sets the same content type and attachment name)."""
    filename = name.rsplit("/", 1)[-1]
    content_type = content_type_of(filename)
    storage = artifact_storage()
    if isinstance(storage, FileSystemStorage):
        return FileResponse(
            storage.open(storage_key, "rb"),
            as_attachment=True,
            filename=filename,
            content_type=content_type,
        )
    url = _link_signer_for(settings.ARTIFACT_STORAGE_URL).url(
        storage_key,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition_header(True, filename),
        },
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"  # the link expires; never reuse it
    return response
