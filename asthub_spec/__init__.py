"""What a user can ask of a training run, declared once.

Every surface derives its input from these models: the REST body and its OpenAPI schema,
the MCP tools' input schemas, the portal's New job form and the CLI's options. The package
needs only pydantic, so the CLI can check a spec before it is sent and the hub can import it
without Django.
"""

from asthub_spec.job import (
    AST_KEYS,
    PLATFORMS,
    SCORING_MODES,
    SELECTION_MODES,
    AstSettings,
    JobSpec,
    Platform,
)
from asthub_spec.sweep import SWEEP_SPEC_KEYS, SweepRequest

__all__ = [
    "AST_KEYS",
    "PLATFORMS",
    "SCORING_MODES",
    "SELECTION_MODES",
    "SWEEP_SPEC_KEYS",
    "AstSettings",
    "JobSpec",
    "Platform",
    "SweepRequest",
]
