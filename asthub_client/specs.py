"""Command-line options that describe a training job, derived from the job spec's one
declaration (asthub_spec), and the sweep grid syntax."""

from __future__ import annotations

import argparse
from typing import Any, Literal, get_args, get_origin

from pydantic import ValidationError
from pydantic.fields import FieldInfo

from asthub_spec import AST_KEYS, AstSettings, JobSpec
from asthub_spec.errors import describe

# Spellings of earlier releases that still work.
OPTION_ALIASES = {"target_activation_rate": ("--target-activation",)}
SPEC_FIELDS = tuple(name for name in JobSpec.model_fields if name != "ast_config")


def add_job_options(parser: argparse.ArgumentParser) -> None:
    """One option per spec field (--batch-size, --target-activation-rate, ...). Only the
    options given are sent, so the hub's defaults apply to the rest."""
    spec = parser.add_argument_group("job spec")
    for name in SPEC_FIELDS:
        _add_option(spec, name, JobSpec.model_fields[name])
    ast = parser.add_argument_group("AST settings")
    for name, info in AstSettings.model_fields.items():
        _add_option(ast, name, info)


def _add_option(group: argparse._ArgumentGroup, name: str, info: FieldInfo) -> None:
    flags = (f"--{name.replace('_', '-')}", *OPTION_ALIASES.get(name, ()))
    default = info.get_default(call_default_factory=True)
    text = (info.description or "").replace("%", "%%")
    help_text = f"{text} (default: {default})" if default not in ("", None) else text
    kind = info.annotation
    if kind is bool:
        group.add_argument(*flags, dest=name, action="store_true", default=None, help=help_text)
    elif get_origin(kind) is Literal:
        group.add_argument(*flags, dest=name, choices=get_args(kind), help=help_text)
    else:
        convert = {int: int, float: float, int | None: int}.get(kind, str)
        group.add_argument(*flags, dest=name, type=convert, metavar=name.upper(), help=help_text)


def job_spec_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The POST /api/v1/jobs/ body the options describe, checked against the same
    declaration the hub uses; ValueError says what to change."""
    spec: dict[str, Any] = {
        name: getattr(args, name) for name in SPEC_FIELDS if getattr(args, name, None) is not None
    }
    ast_config = {
        key: getattr(args, key) for key in AST_KEYS if getattr(args, key, None) is not None
    }
    if ast_config:
        spec["ast_config"] = ast_config
    try:
        JobSpec.model_validate(spec)
    except ValidationError as exc:
        _, problems = describe(exc, known=JobSpec.model_fields)
        raise ValueError(
            "; ".join(f"{_option(field)}: {', '.join(why)}" for field, why in problems.items())
        ) from None
    return spec


def _option(field: str) -> str:
    """The option a spec field is set with: ast_config.kp -> --kp."""
    return "--" + field.rpartition(".")[2].replace("_", "-")


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
