"""Django form fields derived from the job spec's declaration (asthub_spec): the portal's
New job form offers exactly the fields, choices and bounds that REST, MCP and the CLI do.
The AST settings appear as top-level fields; `spec_from_form` nests them again."""

from typing import Any, Literal, get_args, get_origin

import annotated_types
from django import forms
from pydantic.fields import FieldInfo

from asthub_spec import AST_KEYS, AstSettings, JobSpec

CHOICE_LABELS = {
    "local": "This hub's workers (CPU)",
    "kaggle": "Kaggle (your account)",
    "huggingface": "Hugging Face Jobs (your account)",
    "importance": "Importance sampling, unbiased (default)",
    "threshold": "Threshold (PI controller)",
    "topk": "Top-k per batch",
    "random": "Random subset (control)",
    "fresh": "Fresh (score every batch)",
    "stale": "Stale (rescore every few epochs)",
}
LABELS = {
    "hf_repo": "Hugging Face repo",
    "auto_upload_hf": "Publish to Hugging Face when it succeeds",
    "with_baseline": "Also run a baseline",
    "image_size": "Image size (px)",
    "kp": "Kp",
    "ki": "Ki",
}
# Where a text field offers the catalog's names as you type (see jobs/new.html). Hardware
# is a choice per platform instead (jobs.forms, jobs.hardware_offer).
SUGGESTION_LISTS = {
    "dataset": "catalog-datasets",
    "model": "catalog-models",
}


def _bounds(info: FieldInfo) -> dict[str, Any]:
    bounds: dict[str, Any] = {}
    for constraint in info.metadata:
        if isinstance(constraint, annotated_types.Ge):
            bounds["min_value"] = constraint.ge
        elif isinstance(constraint, annotated_types.Le):
            bounds["max_value"] = constraint.le
        elif isinstance(constraint, annotated_types.MaxLen):
            bounds["max_length"] = constraint.max_length
    return bounds


def form_field(name: str, info: FieldInfo) -> forms.Field:
    """The form field for one declared spec field; blank means the declared default."""
    kind = info.annotation
    default = info.get_default(call_default_factory=True)
    common = {
        "required": False,
        "help_text": info.description or "",
        "label": LABELS.get(name, name.replace("_", " ").capitalize()),
    }
    if get_origin(kind) is Literal:
        return forms.ChoiceField(
            choices=[(value, CHOICE_LABELS.get(value, value)) for value in get_args(kind)],
            initial=default,
            **common,
        )
    if kind is bool:
        return forms.BooleanField(initial=default, **common)
    if kind in (int, int | None):
        return forms.IntegerField(initial=default, **_bounds(info), **common)
    if kind is float:
        return forms.FloatField(initial=default, **_bounds(info), **common)
    if kind is str:
        widget = forms.TextInput(
            attrs={"list": SUGGESTION_LISTS[name], "autocomplete": "off"}
            if name in SUGGESTION_LISTS
            else {}
        )
        return forms.CharField(initial=default, widget=widget, **_bounds(info), **common)
    raise TypeError(f"no form field for spec field {name} of type {kind}")


def spec_form_fields() -> dict[str, forms.Field]:
    fields = {
        name: form_field(name, info)
        for name, info in JobSpec.model_fields.items()
        if name != "ast_config"
    }
    fields.update({name: form_field(name, info) for name, info in AstSettings.model_fields.items()})
    return fields


def spec_from_form(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The spec dict a form's cleaned data describes; blank fields keep their default."""
    spec_fields = (set(JobSpec.model_fields) - {"ast_config"}) | set(AST_KEYS)
    given = {
        name: value
        for name, value in cleaned.items()
        if value is not None and value != "" and name in spec_fields
    }
    ast = {name: given.pop(name) for name in AST_KEYS if name in given}
    return given | ({"ast_config": ast} if ast else {})
