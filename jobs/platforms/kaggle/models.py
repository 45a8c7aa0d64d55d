"""Kaggle Models as a publishing target, and a finished kernel's outputs as a source.

Publishing uploads every file as a MODEL blob (StartBlobUpload, then a plain PUT of the
bytes to the signed createUrl), then creates the model (kept if it exists), a PyTorch
instance with the AST metadata in its overview, or, when that instance exists, a new
version of it.
"""

import json
import os
import re
from pathlib import Path

import requests
from kagglesdk.blobs.types.blob_api_service import ApiBlobType, ApiStartBlobUploadRequest
from kagglesdk.datasets.types.dataset_api_service import ApiDatasetNewFile
from kagglesdk.kernels.types.kernels_api_service import ApiGetKernelSessionStatusRequest
from kagglesdk.models.types.model_api_service import (
    ApiCreateModelInstanceRequest,
    ApiCreateModelInstanceRequestBody,
    ApiCreateModelInstanceVersionRequest,
    ApiCreateModelInstanceVersionRequestBody,
    ApiCreateModelRequest,
)
from kagglesdk.models.types.model_enums import ModelFramework

from asthub_site.errors import Conflict, InvalidInput
from jobs.platforms.base import JobHandle
from jobs.platforms.kaggle.adapter import KaggleAdapter, owner_of
from jobs.platforms.kaggle.client import calling, kaggle_client, timeout_seconds
from jobs.platforms.publishing_base import ModelFiles, PublishContext, Published

_SLUG = r"[a-z0-9][a-z0-9-]{1,48}[a-z0-9]"
_OWNER = r"(?P<owner>[A-Za-z0-9_-]+)"
_REF_RE = re.compile(rf"^(?:{_OWNER}/)?(?P<model>{_SLUG})(?:/(?P<instance>{_SLUG}))?$")
_KERNEL_RE = re.compile(rf"^{_OWNER}/(?P<slug>[a-z0-9-]+)(?:/v(?P<version>\d+))?$")
DEFAULT_INSTANCE = "default"
LICENSE = "Apache 2.0"


def _slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50].strip("-")
    return slug if len(slug) >= 3 else f"ast-model-{slug}".strip("-")


def _overview(files: ModelFiles) -> str:
    metadata = json.dumps(files.metadata, indent=2, sort_keys=True)
    return (
        "Trained with Adaptive Sparse Training (AST) on AST Training Hub.\n\n"
        f"```json\n{metadata}\n```\n"
    )


class KaggleModelTarget:
    name = "kaggle"
    needs_credential = "kaggle"

    def validate_ref(self, ref: str) -> str:
        if ref and not _REF_RE.match(ref):
            raise InvalidInput(
                "A Kaggle model is [OWNER/]MODEL[/INSTANCE] in lower-case letters, digits "
                f"and hyphens (3 to 50 characters), not {ref!r}.",
                fields={"target_ref": ["invalid"]},
            )
        return ref

    def publish(
        self,
        files: ModelFiles,
        credential: dict | None,
        *,
        ref: str,
        private: bool,
        context: PublishContext,
    ) -> Published:
        owner = owner_of(credential)
        match = _REF_RE.match(ref) if ref else None
        if match and match.group("owner") and match.group("owner") != owner:
            raise InvalidInput(
                f"Your Kaggle credential is {owner!r}; it cannot publish under "
                f"{match.group('owner')!r}."
            )
        model = match.group("model") if match else _slugify(files.name)
        instance = (match.group("instance") if match else None) or DEFAULT_INSTANCE
        with kaggle_client(credential) as client:
            tokens = [_upload(client, files.folder / name) for name in files.names()]
            if not tokens:
                raise Conflict("There are no files to publish.")
            self._create_model(client, owner, model, files, private)
            answer = self._create_instance_or_version(client, owner, model, instance, tokens, files)
        revision = answer.ref.rsplit("/", 1)[-1] if answer.ref else ""
        return Published(
            url=answer.url or f"https://www.kaggle.com/models/{owner}/{model}",
            ref=f"{owner}/{model}/pyTorch/{instance}",
            revision=revision,
        )

    def _create_model(self, client, owner, model, files: ModelFiles, private: bool) -> None:
        request = ApiCreateModelRequest()
        request.owner_slug = owner
        request.slug = model
        request.title = files.name.replace("-", " ")[:50] or model
        request.subtitle = "Trained with Adaptive Sparse Training"
        request.is_private = private
        request.description = files.card_markdown or _overview(files)
        with calling("creating the Kaggle model"):
            answer = client.models.model_api_client.create_model(request)
        if answer.error and answer.error_code != 409 and "exist" not in answer.error.lower():
            raise InvalidInput(f"Kaggle refused the model {owner}/{model}: {answer.error}")

    def _create_instance_or_version(self, client, owner, model, instance, tokens, files):
        body = ApiCreateModelInstanceRequestBody()
        body.instance_slug = instance
        body.framework = ModelFramework.MODEL_FRAMEWORK_PY_TORCH
        body.overview = _overview(files)
        body.usage = "Load model.safetensors with safetensors.torch.load_file."
        body.license_name = LICENSE
        body.training_data = [str(files.metadata.get("dataset", ""))] if files.metadata else []
        body.files = [_file(token) for token in tokens]
        request = ApiCreateModelInstanceRequest()
        request.owner_slug = owner
        request.model_slug = model
        request.body = body
        try:
            with calling("creating the model instance"):
                answer = client.models.model_api_client.create_model_instance(request)
        except Conflict:
            version_body = ApiCreateModelInstanceVersionRequestBody()
            version_body.version_notes = f"AST Hub job {files.job_id}" if files.job_id else ""
            version_body.files = [_file(token) for token in tokens]
            version = ApiCreateModelInstanceVersionRequest()
            version.owner_slug = owner
            version.model_slug = model
            version.framework = ModelFramework.MODEL_FRAMEWORK_PY_TORCH
            version.instance_slug = instance
            version.body = version_body
            with calling("adding a model version"):
                answer = client.models.model_api_client.create_model_instance_version(version)
        if answer.error:
            raise InvalidInput(f"Kaggle refused the model files: {answer.error}")
        return answer


def _file(token: str) -> ApiDatasetNewFile:
    entry = ApiDatasetNewFile()
    entry.token = token
    return entry


def _upload(client, path: Path) -> str:
    request = ApiStartBlobUploadRequest()
    request.type = ApiBlobType.MODEL
    request.name = path.name
    request.content_length = path.stat().st_size
    request.last_modified_epoch_seconds = int(os.path.getmtime(path))
    with calling(f"starting the upload of {path.name}"):
        slot = client.blobs.blob_api_client.start_blob_upload(request)
    # The createUrl is signed: the bytes go without the user's credential.
    with (
        calling(f"uploading {path.name}"),
        open(path, "rb") as handle,
        requests.Session() as plain,
    ):
        plain.put(slot.create_url, data=handle, timeout=timeout_seconds()).raise_for_status()
    return slot.token


class KaggleKernelSource:
    """A finished kernel's outputs (OWNER/KERNEL[/vN]) as a model to publish elsewhere."""

    name = "kaggle"
    needs_credential = "kaggle"

    def validate_ref(self, ref: str) -> str:
        if not _KERNEL_RE.match(ref):
            raise InvalidInput(
                f"A Kaggle kernel is OWNER/KERNEL-SLUG[/vN], not {ref!r}.",
                fields={"source_ref": ["invalid"]},
            )
        return ref

    def gather(self, ref: str, credential: dict | None, dest: Path) -> ModelFiles:
        match = _KERNEL_RE.match(self.validate_ref(ref))
        owner, slug = match.group("owner"), match.group("slug")
        version = int(match.group("version") or 0) or None
        request = ApiGetKernelSessionStatusRequest()
        request.user_name = owner
        request.kernel_slug = slug
        if version:
            request.version_label = f"v{version}"
        with kaggle_client(credential) as client, calling("checking the kernel"):
            status = client.kernels.kernels_api_client.get_kernel_session_status(request)
        if status.status.name != "COMPLETE":
            raise Conflict(f"Kernel {owner}/{slug} is {status.status.name}; only finished runs.")
        version = version or _latest_version(credential, owner, slug)
        state = {"owner": owner, "slug": slug, "version": version}
        handle = JobHandle(
            id=0, owner_id=0, config={}, is_baseline=False, hardware="cpu", platform_state=state
        )
        KaggleAdapter().fetch_artifacts(handle, credential, dest)
        if not any(dest.glob("*.safetensors")):
            raise Conflict(f"Kernel {owner}/{slug} left no .safetensors weights to publish.")
        metadata = {"source": f"kaggle:{owner}/{slug}", "kernel_version": version}
        summary = dest / "summary.json"
        if summary.exists():
            metadata["results"] = json.loads(summary.read_text())
        return ModelFiles(folder=dest, name=slug, metadata=metadata)


def _latest_version(credential, owner: str, slug: str) -> int:
    from kagglesdk.kernels.types.kernels_api_service import ApiGetKernelRequest

    request = ApiGetKernelRequest()
    request.user_name = owner
    request.kernel_slug = slug
    with kaggle_client(credential) as client, calling("reading the kernel"):
        answer = client.kernels.kernels_api_client.get_kernel(request)
    return answer.metadata.current_version_number or 1
