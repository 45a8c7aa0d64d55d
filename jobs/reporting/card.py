"""Hugging Face model cards with a sustainability report.

Rendering uses a sandboxed Jinja environment that loads only this package's templates.
Everything a user typed (run name, data set, config values) is passed in as *data*: it is
substituted into a template, never parsed as one, so ``{{ 7*7 }}`` in a run name stays
literal text. The YAML front matter is built as a dict and dumped with ``yaml.safe_dump``
so no value can break out of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from .badges import sustainability_badges
from .compare import TOO_SHORT, Comparison
from .formatting import co2, code_fence, duration, energy, md_inline, percent, signed, slug, usd
from .plots import PLOT_NAMES
from .records import RunRecord

TEMPLATES = ("standard", "competition", "research")
TEMPLATE_DIR = Path(__file__).parent / "templates"
REPRODUCE_COMMAND = "python -m jobs.training --config config.json --out out/"

# Image data sets the engine knows, and their Hub ids where one exists.
_IMAGE_DATASETS = {"digits", "mnist", "fashion_mnist", "cifar10", "cifar100"}
_HUB_DATASET_IDS = {
    "mnist": "ylecun/mnist",
    "fashion_mnist": "zalando-datasets/fashion_mnist",
    "cifar10": "uoft-cs/cifar10",
    "cifar100": "uoft-cs/cifar100",
}
_PLATFORM_LABELS = {
    "local": "local machine",
    "kaggle": "Kaggle",
    "huggingface": "Hugging Face Jobs",
}
_PLOT_ALT = {
    "accuracy.png": "Validation accuracy per epoch",
    "activation.png": "Activation rate and threshold per epoch",
    "energy_savings.png": "Compute and energy savings per epoch",
}


@dataclass(frozen=True)
class ModelCard:
    markdown: str
    badges: list[str]
    template: str


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    # Markdown, not HTML: autoescape would turn "&" into "&amp;" in code blocks. User text
    # is made safe for Markdown explicitly (md_inline) where it lands inline.
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md_inline
    return env


def dataset_label(dataset: str) -> str:
    """A public name for the data set; local file paths must not leak into a public card."""
    kind, sep, rest = dataset.partition(":")
    if not sep:
        return dataset
    if kind == "hf":
        return rest.partition(":")[0]
    return f"custom {kind} data"


def dataset_hub_id(dataset: str) -> str:
    if dataset.startswith("hf:"):
        return dataset_label(dataset)
    return _HUB_DATASET_IDS.get(dataset, dataset_label(dataset))


def task_type(dataset: str) -> str:
    is_image = dataset in _IMAGE_DATASETS or dataset.startswith("imagefolder:")
    return "image-classification" if is_image else "classification"


def energy_is_estimated(run: RunRecord, comparison: Comparison) -> bool:
    return comparison.estimated or run.energy_source != "measured"


def front_matter(
    run: RunRecord,
    comparison: Comparison,
    *,
    name: str,
    license: str,
    geographical_location: str | None,
) -> dict[str, Any]:
    accuracy = run.final_accuracy
    if accuracy is None:
        raise ValueError(f"run {run.id} has no validation accuracy yet")
    label = dataset_label(run.dataset)
    emissions: dict[str, Any] = {
        "emissions": round(comparison.ast.co2_kg * 1000.0, 6),  # the Hub expects grams
        "source": "AST Training Hub ("
        + ("measured" if run.energy_source == "measured" else "estimated")
        + ")",
        "training_type": "fine-tuning" if run.config.get("pretrained") else "pre-training",
    }
    if geographical_location:
        emissions["geographical_location"] = geographical_location
    emissions["hardware_used"] = f"{run.hardware} ({_PLATFORM_LABELS[run.platform]})"
    tags = ["adaptive-sparse-training", "energy-efficient", "sustainability"]
    tags += [t for t in (slug(label), slug(run.model)) if t not in tags]
    return {
        "license": license,
        "library_name": "pytorch",
        "tags": tags,
        "datasets": [dataset_hub_id(run.dataset)],
        "metrics": ["accuracy"],
        "co2_eq_emissions": emissions,
        "model-index": [
            {
                "name": name,
                "results": [
                    {
                        "task": {"type": task_type(run.dataset)},
                        "dataset": {"name": label, "type": dataset_hub_id(run.dataset)},
                        "metrics": [
                            {
                                "type": "accuracy",
                                "value": round(accuracy, 6),
                                "name": "Validation accuracy",
                            }
                        ],
                    }
                ],
            }
        ],
    }


def _one_line(value: Any) -> Any:
    """Collapse whitespace in every string of the front matter.

    A multi-line YAML scalar could put ``---`` at the start of a line, which ends the front
    matter for the Hub's parser even though ``safe_dump`` quoted it correctly.
    """
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return {k: _one_line(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_one_line(v) for v in value]
    return value


def _bibtex_text(text: str) -> str:
    # Unbalanced braces or backslashes would break the whole .bib file.
    return " ".join(re.sub(r"[{}\\]", "", str(text)).split())


def _citation(run: RunRecord, name: str, repo_id: str | None) -> str:
    key = re.sub(r"[^A-Za-z0-9]+", "_", repo_id or f"asthub_run_{run.id}").strip("_")
    when = run.finished_at or run.started_at
    title = (
        f"{_bibtex_text(name)}: {_bibtex_text(run.model)} trained on "
        f"{_bibtex_text(dataset_label(run.dataset))} with Adaptive Sparse Training"
    )
    fields = [("title", "{" + title + "}")]
    if repo_id:
        fields.append(("author", "{" + _bibtex_text(repo_id.partition("/")[0]) + "}"))
    if when is not None:
        fields.append(("year", str(when.year)))
    if repo_id:
        fields.append(("howpublished", r"{\url{https://huggingface.co/" + repo_id + "}}"))
    fields.append(("note", "{AST Training Hub, engine " + _bibtex_text(run.engine_version) + "}"))
    body = ",\n".join(f"  {key} = {value}" for key, value in fields)
    return f"@misc{{{key},\n{body}\n}}"


def _report_rows(run: RunRecord, c: Comparison) -> list[tuple[str, str]]:
    est = " (estimated)"
    energy_est = est if energy_is_estimated(run, c) else ""
    base = "estimated baseline" if c.estimated else "baseline"
    if c.accuracy_diff is None or c.baseline.accuracy is None:
        accuracy = f"{percent(c.ast.accuracy or 0.0, 2)} (baseline accuracy not measured)"
    else:
        accuracy = (
            f"{percent(c.ast.accuracy or 0.0, 2)} vs {percent(c.baseline.accuracy, 2)} "
            f"{base} ({signed(f'{c.accuracy_diff * 100:.2f}', c.accuracy_diff)} pp)"
        )
    if c.energy_savings is None:
        saving = TOO_SHORT
    else:
        saving = f"{percent(c.energy_savings)}{energy_est}, {c.energy_basis}"
    if c.baseline.hours is None:
        time = f"{duration(c.ast.hours)} ({base}: {TOO_SHORT})"
    else:
        hours_diff = c.ast.hours - c.baseline.hours
        time = (
            f"{duration(c.ast.hours)} vs {duration(c.baseline.hours)} {base} "
            f"({signed(duration(hours_diff), hours_diff)})"
        )
    avoided = TOO_SHORT if c.co2_avoided_kg is None else co2(c.co2_avoided_kg) + energy_est
    return [
        ("Energy savings", saving),
        ("Compute savings", f"{percent(c.compute_savings)} fewer forward-equivalents"),
        ("CO2 avoided", avoided),
        ("Training time", time),
        ("Accuracy", accuracy),
        ("Energy used", f"{energy(c.ast.kwh)} ({run.energy_source})"),
        ("Emissions", co2(c.ast.co2_kg)),
        ("Cost", f"{usd(c.ast.cost_usd)} ({c.ast.cost_basis})"),
    ]


def _context(
    run: RunRecord,
    comparison: Comparison,
    *,
    name: str,
    repo_id: str | None,
    plot_names: Sequence[str],
    badges: list[str],
    front: dict[str, Any],
    leaderboard: dict[str, str] | None = None,
) -> dict[str, Any]:
    config_json = json.dumps(run.config, indent=2, sort_keys=True, default=str)
    ast = run.ast_settings
    citation = _citation(run, name, repo_id)
    return {
        "front_matter": yaml.safe_dump(
            _one_line(front), sort_keys=False, allow_unicode=True, width=10_000
        ),
        "title": name,
        "repo_id": repo_id,
        "run": {
            "id": run.id,
            "name": run.name,
            "dataset": dataset_label(run.dataset),
            "model": run.model,
            "platform": _PLATFORM_LABELS[run.platform],
            "hardware": run.hardware,
            "is_baseline": run.is_baseline,
            "epochs": run.epochs_completed,
            "epochs_planned": run.epochs_planned,
            "batch_size": run.config.get("batch_size"),
            "learning_rate": run.config.get("learning_rate"),
            "optimizer": run.config.get("optimizer"),
            "seed": run.config.get("seed"),
            "accuracy": percent(run.final_accuracy or 0.0, 2),
            "energy_source": run.energy_source,
            "engine_version": run.engine_version,
            "script_sha256": run.script_sha256,
        },
        "ast": sorted(ast.items()),
        "target_rate": percent(float(ast.get("target_activation_rate", 0.0)), 0),
        "entropy_weight": ast.get("entropy_weight"),
        "warmup_epochs": ast.get("warmup_epochs"),
        "selection": ast.get("selection"),
        "anneal_fraction": percent(float(ast.get("anneal_fraction") or 0.0), 1),
        "min_keep_probability": ast.get("min_keep_probability"),
        "scale_learning_rate": ast.get("scale_learning_rate"),
        "kp": ast.get("kp"),
        "ki": ast.get("ki"),
        "badges": badges,
        "report_rows": _report_rows(run, comparison),
        "estimated": comparison.estimated,
        "energy_estimated": energy_is_estimated(run, comparison),
        "method": comparison.method,
        "comparison_table": comparison.to_markdown(),
        "latex_table": comparison.to_latex(),
        "latex_fence": code_fence(comparison.to_latex()),
        "c": {
            "energy_known": comparison.energy_savings is not None,
            "energy_savings": TOO_SHORT
            if comparison.energy_savings is None
            else percent(comparison.energy_savings),
            "compute_savings": percent(comparison.compute_savings),
            "kwh": energy(comparison.ast.kwh),
            "hours": duration(comparison.ast.hours),
            "forward_equivalents": f"{comparison.ast.forward_equivalents:,}",
            "baseline_forward_equivalents": f"{comparison.baseline.forward_equivalents:,}",
            "co2": co2(comparison.ast.co2_kg),
            "cost": usd(comparison.ast.cost_usd),
        },
        "plots": [(_PLOT_ALT.get(p, p), p) for p in plot_names],
        "config_json": config_json,
        "config_fence": code_fence(config_json),
        "command": REPRODUCE_COMMAND,
        "citation": citation,
        "citation_fence": code_fence(citation),
        "leaderboard": leaderboard,
    }


def render_model_card(
    run: RunRecord,
    comparison: Comparison,
    template: str = "standard",
    repo_id: str | None = None,
    plot_names: Sequence[str] = PLOT_NAMES,
    *,
    license: str = "apache-2.0",
    geographical_location: str | None = None,
    leaderboard: dict[str, str] | None = None,
) -> ModelCard:
    """Render the card for ``run`` from a comparison made by ``compare_runs``."""
    if template not in TEMPLATES:
        raise ValueError(
            f"unknown model card template {template!r}; choose one of: {', '.join(TEMPLATES)}"
        )
    if comparison.ast_run_id != run.id:
        raise ValueError(f"comparison is for run {comparison.ast_run_id}, not run {run.id}")
    for plot in plot_names:
        # Plots are embedded by relative name next to the card; a path could point anywhere.
        if "/" in plot or "\\" in plot or not plot.endswith(".png"):
            raise ValueError(f"plot name {plot!r} must be a bare .png file name")
    name = repo_id.rpartition("/")[2] if repo_id else run.name
    front = front_matter(
        run,
        comparison,
        name=name,
        license=license,
        geographical_location=geographical_location,
    )
    badges = sustainability_badges(comparison, energy_is_estimated(run, comparison))
    context = _context(
        run,
        comparison,
        name=name,
        repo_id=repo_id,
        plot_names=plot_names,
        badges=badges,
        front=front,
        leaderboard=leaderboard,
    )
    markdown = _environment().get_template(f"{template}.md.j2").render(**context)
    return ModelCard(markdown=markdown, badges=badges, template=template)
