"""Publishing to and copying from the Hugging Face Hub (plugged into jobs.publishing).

To the Hub: the repository is created (private unless asked otherwise) and every file,
weights, configs, ast_config.json, metrics.jsonl, plots and the README.md model card,
goes up in ONE commit, so the repo never shows a model without its card. The card is
uploaded as a plain file (never `ModelCard.push_to_hub`, which would reach the global
endpoint). With no repository named, the run's own default name is used
(`<model>-<dataset>-ast-<job id>`), and a repo of that name holding another model is
never overwritten. From the Hub: a model repo is downloaded into a folder for another
target.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

from huggingface_hub import CommitOperationAdd
from huggingface_hub.errors import EntryNotFoundError, RepositoryNotFoundError

from asthub_site.errors import Conflict, InvalidInput
from jobs.platforms.huggingface.client import hub_api, hub_errors, token_of
from jobs.platforms.publishing_base import ModelFiles, PublishContext, Published

_PART = r"[A-Za-z0-9][\w.\-]{0,95}"
REPO_ID = re.compile(rf"^(?:{_PART}/)?{_PART}$")
# Files of a downloaded repo that are the Hub's, not the model's.
HUB_FILES = (".gitattributes",)
AST_CONFIG_FILE = "ast_config.json"


def clean_repo_id(ref: str, *, required: bool) -> str:
    ref = ref.strip()
    if not ref and not required:
        return ""
    if not REPO_ID.match(ref) or ".." in ref or ref.endswith((".git", ".")):
        raise InvalidInput(
            f"{ref!r} is not a Hugging Face repository id; use 'name' or 'namespace/name' "
            "(letters, digits, '-', '_', '.').",
            fields={"target_ref" if not required else "source_ref": ["invalid repo id"]},
        )
    return ref


class HubTarget:
    name = "huggingface"
    needs_credential = "huggingface"

    def validate_ref(self, ref: str) -> str:
        return clean_repo_id(ref, required=False)

    def publish(
        self,
        files: ModelFiles,
        credential: dict | None,
        *,
        ref: str,
        private: bool,
        context: PublishContext,
    ) -> Published:
        api = hub_api(token_of(credential))
        names = files.names()
        if not names:
            raise InvalidInput("There are no files to publish.")
        with hub_errors("publishing the model"):
            repo_id = ref if "/" in ref else f"{api.whoami()['name']}/{ref or files.name}"
            if not ref:
                # Only a repository the user named may receive another run's model.
                _refuse_another_models_repo(api, repo_id, files)
            repo_url = api.create_repo(repo_id, private=private, exist_ok=True)
            commit = api.create_commit(
                repo_id,
                [CommitOperationAdd(name, str(files.folder / name)) for name in names],
                commit_message=_commit_message(files),
                commit_description="Published by AST Training Hub.",
            )
        return Published(url=str(repo_url), ref=repo_id, revision=commit.oid)


def _refuse_another_models_repo(api, repo_id: str, files: ModelFiles) -> None:
    """Raise Conflict when the derived repo already holds a model that is not this run's.

    An empty repo (an earlier attempt that stopped before its commit) and this same run
    published again are fine; anything else would be overwritten."""
    try:
        info = api.model_info(repo_id)
    except RepositoryNotFoundError:
        return
    if not [s.rfilename for s in info.siblings or [] if s.rfilename not in HUB_FILES]:
        return
    if files.job_id is not None and _published_job_id(api, repo_id) == files.job_id:
        return
    raise Conflict(
        f"{repo_id} already holds another model, and a default name never overwrites one. "
        "Name the repository with target_ref (that one to replace its model on purpose, "
        "or a new one)."
    )


def _published_job_id(api, repo_id: str) -> int | None:
    """The hub job id recorded in a repo's ast_config.json, if it has one."""
    with tempfile.TemporaryDirectory(prefix="asthub-repo-check-") as folder:
        try:
            path = api.hf_hub_download(repo_id, AST_CONFIG_FILE, local_dir=folder)
        except EntryNotFoundError:
            return None
        try:
            recorded = json.loads(Path(path).read_text())
        except ValueError:
            return None
    job_id = recorded.get("hub_job_id") if isinstance(recorded, dict) else None
    return job_id if isinstance(job_id, int) else None


def _commit_message(files: ModelFiles) -> str:
    if files.job_id is not None:
        return f"AST model from asthub job {files.job_id}"
    return f"AST model {files.name}"


class HubSource:
    name = "huggingface"
    needs_credential = "huggingface"

    def validate_ref(self, ref: str) -> str:
        ref = clean_repo_id(ref, required=True)
        if "/" not in ref:
            raise InvalidInput(
                "Name the Hub model as 'namespace/name'.", fields={"source_ref": ["invalid"]}
            )
        return ref

    def gather(self, ref: str, credential: dict | None, dest: Path) -> ModelFiles:
        api = hub_api(token_of(credential))
        dest.mkdir(parents=True, exist_ok=True)
        download = dest / ".download"
        with hub_errors(f"downloading {ref}"):
            api.snapshot_download(repo_id=ref, local_dir=download)
        for path in download.iterdir():
            # snapshot_download keeps its bookkeeping in .cache/ beside the files.
            if path.name != ".cache" and path.name not in HUB_FILES:
                shutil.move(str(path), dest / path.name)
        shutil.rmtree(download, ignore_errors=True)
        metadata: dict = {}
        ast_config = dest / AST_CONFIG_FILE
        if ast_config.is_file():
            try:
                loaded = json.loads(ast_config.read_text())
                metadata = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                metadata = {}
        return ModelFiles(folder=dest, name=ref.split("/", 1)[1], metadata=metadata)
