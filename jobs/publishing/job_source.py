"""A finished job's stored outputs, made ready to publish anywhere.

Every platform's runs end with their outputs in the artifact store, so publishing "from
local", "from kaggle" or "from huggingface" with a job id starts here. The model card is
the run's latest card, or a new standard one, so a published model always carries its
sustainability metadata.
"""

import json
import shutil
from pathlib import Path

from asthub_site.errors import Conflict
from jobs.artifacts import open_artifact
from jobs.models import JobStatus, ModelCard, TrainingJob
from jobs.platforms.publishing_base import ModelFiles
from jobs.reporting.card import slug

AST_CONFIG_FILE = "ast_config.json"
# Kaggle model slugs take at most 50 characters and Hub repo names 96: a default name
# fits both, so neither target has to cut off the run id that makes the name unique.
DEFAULT_NAME_LENGTH = 50


def check_publishable(job: TrainingJob) -> None:
    if job.status != JobStatus.SUCCEEDED:
        raise Conflict(f"Job {job.pk} is {job.status}; only succeeded runs can be published.")
    if not job.artifacts.filter(name__endswith=".safetensors").exists():
        raise Conflict(f"Job {job.pk} has no stored weights (.safetensors) to publish.")


def _card_for(job: TrainingJob) -> ModelCard | None:
    card = ModelCard.objects.filter(job=job).first()
    if card is None and not job.is_baseline:
        from jobs.reports import create_model_card

        card = create_model_card(user=job.owner, run_id=job.pk)
    return card


def ast_metadata(job: TrainingJob) -> dict:
    summary = job.summary or {}
    return {
        "hub_job_id": job.pk,
        "platform": job.platform,
        "dataset": job.dataset,
        "model": job.model,
        "is_baseline": job.is_baseline,
        "ast": job.ast_config,
        "engine_version": job.engine_version,
        "script_sha256": job.script_sha256,
        "config": job.config,
        "results": {
            key: summary.get(key)
            for key in (
                "final_val_accuracy",
                "best_val_accuracy",
                "activation_rate_after_warmup",
                "compute_savings",
                "energy_savings",
                "energy_kwh",
                "energy_source",
                "train_seconds",
                "num_parameters",
            )
            if key in summary
        },
    }


def job_files(job: TrainingJob, dest: Path) -> ModelFiles:
    """Copy the job's artifacts (and card, AST config) into `dest`."""
    check_publishable(job)
    card = _card_for(job)
    for artifact in job.artifacts.all():
        target = dest / artifact.name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open_artifact(artifact) as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
    metadata = ast_metadata(job)
    (dest / AST_CONFIG_FILE).write_text(json.dumps(metadata, indent=2, sort_keys=True))
    if card is not None:
        (dest / "README.md").write_text(card.markdown)
    return ModelFiles(folder=dest, name=default_model_name(job), job_id=job.pk, metadata=metadata)


def default_model_name(job: TrainingJob) -> str:
    """`<model>-<dataset>-ast-<job id>` (`-baseline-` for a baseline run).

    Not the job's name: a sweep gives every run the same one, and each run would then
    overwrite the last one's repository. The run id makes the name unique per run.
    """
    suffix = f"-{'baseline' if job.is_baseline else 'ast'}-{job.pk}"
    model, dataset = slug(job.model), slug(job.dataset)
    room = DEFAULT_NAME_LENGTH - len(suffix) - 1  # the dash between model and dataset
    if len(model) + len(dataset) > room:
        # Shorten the longer part first, so both stay recognisable.
        model = model[: max(room // 2, room - len(dataset))].strip("-")
        dataset = dataset[: room - len(model)].strip("-")
    return f"{model}-{dataset}{suffix}"
