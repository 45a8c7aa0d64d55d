"""Command-line options that describe a training job, and the sweep grid syntax."""

from __future__ import annotations

import argparse
from typing import Any

# CLI option -> key inside the job's ast_config; only the options given are sent, so the
# server's defaults apply to the rest.
_AST_OPTIONS = {
    "target_activation": "target_activation_rate",
    "entropy_weight": "entropy_weight",
    "warmup_epochs": "warmup_epochs",
    "selection": "selection",
}
_PLAIN_OPTIONS = ("name", "batch_size", "learning_rate", "seed")


def add_job_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--model", default="mlp")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--platform", default="local", choices=("local", "kaggle", "huggingface"))
    parser.add_argument("--hardware", default="cpu")
    parser.add_argument("--name")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--learning-rate", type=float)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--target-activation", type=float, metavar="RATE")
    parser.add_argument("--entropy-weight", type=float)
    parser.add_argument("--warmup-epochs", type=int)
    parser.add_argument("--selection", choices=("threshold", "topk"))
    parser.add_argument("--auto-upload-hf", action="store_true")
    parser.add_argument("--hf-repo", default="", metavar="REPO")


def job_spec_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The POST /api/v1/jobs/ body the options describe. Raises ValueError on a bad mix."""
    if args.auto_upload_hf and not args.hf_repo:
        raise ValueError("--auto-upload-hf needs --hf-repo")
    spec: dict[str, Any] = {
        "platform": args.platform,
        "dataset": args.dataset,
        "model": args.model,
        "epochs": args.epochs,
        "hardware": args.hardware,
    }
    for option in _PLAIN_OPTIONS:
        value = getattr(args, option)
        if value is not None:
            spec[option] = value
    ast_config = {
        key: getattr(args, option)
        for option, key in _AST_OPTIONS.items()
        if getattr(args, option) is not None
    }
    if ast_config:
        spec["ast_config"] = ast_config
    if args.auto_upload_hf:
        spec["auto_upload_hf"] = True
    if args.hf_repo:
        spec["hf_repo"] = args.hf_repo
    return spec


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    """`["target_activation_rate=0.2,0.4", "model=resnet18,resnet50"]` ->
    {"target_activation_rate": [0.2, 0.4], "model": ["resnet18", "resnet50"]}."""
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        key = key.strip()
        if not sep or not key or not values.strip():
            raise ValueError(f"--grid {item!r} is not of the form name=value1,value2")
        if key in grid:
            raise ValueError(f"--grid {key} is given twice")
        grid[key] = [_scalar(value.strip()) for value in values.split(",") if value.strip()]
    if not grid:
        raise ValueError("a sweep needs at least one --grid")
    return grid


def _scalar(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return text
