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
    name = slug(job.name) if job.name else f"{slug(job.model)}-{slug(job.dataset)}-ast-{job.pk}"
    return ModelFiles(folder=dest, name=name, job_id=job.pk, metadata=metadata)
