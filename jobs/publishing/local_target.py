"""Target "local": keep a copy of a model (e.g. one on the Hub or on Kaggle) in this
hub's own artifact store, downloadable through the API like a run's artifacts."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File

from asthub_site.errors import InvalidInput
from billing.quotas import check_artifact_storage, record_artifact_bytes
from jobs.artifacts import artifact_storage
from jobs.platforms.publishing_base import ModelFiles, PublishContext, Published


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class LocalTarget:
    name = "local"
    needs_credential = None

    def validate_ref(self, ref: str) -> str:
        if ref:
            raise InvalidInput("A copy kept on this hub takes no target reference.")
        return ""

    def publish(
        self,
        files: ModelFiles,
        credential: dict | None,
        *,
        ref: str,
        private: bool,
        context: PublishContext,
    ) -> Published:
        storage = artifact_storage()
        prefix = f"publications/{context.owner_id}/{context.publication_id}"
        # The copy's size is known only once gathered: refuse before writing any of it.
        total = sum((files.folder / name).stat().st_size for name in files.names())
        owner = get_user_model().objects.get(pk=context.owner_id)
        check_artifact_storage(user=owner, adding_bytes=total, what="this copy")
        kept = []
        for name in files.names():
            path = files.folder / name
            key = f"{prefix}/{name}"
            replaced = 0
            if storage.exists(key):  # a retried copy: count only the difference
                replaced = storage.size(key)
                storage.delete(key)
            with open(path, "rb") as handle:
                saved = storage.save(key, File(handle, name=path.name))
            kept.append(
                {
                    "name": name,
                    "size": path.stat().st_size,
                    "sha256": _sha256(path),
                    "storage_key": saved,
                }
            )
            record_artifact_bytes(user_id=context.owner_id, delta=path.stat().st_size - replaced)
        url = f"{settings.PUBLIC_BASE_URL}/api/v1/publications/{context.publication_id}/"
        return Published(url=url, ref=f"publication:{context.publication_id}", files=kept)
