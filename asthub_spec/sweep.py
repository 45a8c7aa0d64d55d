"""A sweep: one job spec and a grid of values to vary, one run per point."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from asthub_spec.job import AST_KEYS, JobSpec

# Besides AST settings a sweep may vary these spec fields, e.g. several architectures at
# once ("train 5 popular architectures with AST on CIFAR-100").
SWEEP_SPEC_KEYS: tuple[str, ...] = ("model", "learning_rate", "batch_size", "seed", "epochs")
MAX_SWEEP_POINTS = 50

GridValues = Annotated[list[float | int | str], Field(min_length=1, max_length=MAX_SWEEP_POINTS)]


class SweepRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str = Field("", max_length=100)
    spec: JobSpec = Field(default_factory=JobSpec)
    grid: dict[str, GridValues] = Field(
        description=f"Values to vary, one run per combination: {', '.join(AST_KEYS)}, "
        f"{', '.join(SWEEP_SPEC_KEYS)}; e.g. "
        '{"model": ["resnet18", "resnet50"]} or {"target_activation_rate": [0.3, 0.5]}.',
    )
