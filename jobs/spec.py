"""The hub's side of the job spec: the fields are declared once in `asthub_spec`; this
module checks a spec against the chosen platform and the catalog, and builds the exact
engine config the job stores and runs. Every surface parses with `JobSpec.from_dict`."""

from functools import cached_property
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

import asthub_spec
from asthub_site.errors import InvalidInput
from asthub_spec import AST_KEYS, PLATFORMS, SweepRequest
from asthub_spec.errors import describe
from jobs.catalog import Resolved, resolve
from jobs.platforms import adapter_for
from jobs.platforms.base import EngineData
from jobs.training import ConfigError, TrainingConfig

__all__ = ["AST_KEYS", "PLATFORMS", "JobSpec", "parse_sweep"]

ModelT = TypeVar("ModelT", bound=BaseModel)
DEFAULT_IMAGE_SIZE = TrainingConfig().image_size  # what the engine uses when none is given


class JobSpec(asthub_spec.JobSpec):
    """A spec as the hub runs it: the declared fields, plus what the catalog and the
    platform make of them (adds no field: the declaration stays in asthub_spec)."""

    @classmethod
    def from_dict(cls, data: Any) -> "JobSpec":
        """Validate a spec from any surface; InvalidInput says what to change."""
        return validated(cls, data, what="The job spec").on_its_platform()

    @classmethod
    def of(cls, declared: asthub_spec.JobSpec) -> "JobSpec":
        """The hub's view of a spec another model already validated (a sweep's)."""
        fields = dict(declared)
        return cls.model_construct(
            _fields_set=declared.model_fields_set, **fields
        ).on_its_platform()

    def on_its_platform(self) -> "JobSpec":
        """The spec with the platform's own hardware name, checked against the catalog and
        the engine (a spec that passes here is one the platform can run)."""
        hardware = adapter_for(self.platform).hardware_name(self.hardware)
        spec = self if hardware == self.hardware else self.model_copy(update={"hardware": hardware})
        spec.engine_config()
        return spec

    def with_changes(self, **changes: Any) -> "JobSpec":
        """A new spec with some fields changed, validated like any other."""
        return JobSpec.from_dict({**self.model_dump(), **changes})

    @cached_property
    def resolved(self) -> Resolved:
        adapter = adapter_for(self.platform)
        return resolve(
            dataset=self.dataset,
            model=self.model,
            hardware=self.hardware,
            image_size=self.image_size or DEFAULT_IMAGE_SIZE,
            platform=adapter,
            pretrained=self.pretrained,
        )

    @cached_property
    def engine_data(self) -> EngineData:
        return adapter_for(self.platform).engine_data(self.resolved.dataset_source)

    def engine_config(self) -> dict[str, Any]:
        """The exact config the engine runs, validated by the engine itself."""
        raw: dict[str, Any] = {
            "dataset": self.engine_data.engine_dataset,
            "model": self.model,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "seed": self.seed,
            "pretrained": self.pretrained,
            "ast": self.ast_config.model_dump(),
        }
        if self.image_size is not None:
            raw["image_size"] = self.image_size
        try:
            return TrainingConfig.from_dict(raw).to_dict()
        except ConfigError as exc:
            raise InvalidInput(str(exc)) from exc

    def platform_state(self) -> dict[str, Any]:
        """What the platform needs at launch beyond the engine config (Kaggle: the data
        sets and competitions to attach to the kernel)."""
        return dict(self.engine_data.platform_state)

    def as_dict(self) -> dict[str, Any]:
        return self.model_dump()

    def check_report(self) -> dict[str, Any]:
        """What a "check only" answers on every surface: the spec as it would run, its
        catalog entries and the engine's full config."""
        return {
            "spec": self.as_dict(),
            "dataset": self.resolved.dataset.as_dict(),
            "model": self.resolved.model.as_dict(),
            "engine_config": self.engine_config(),
        }


def parse_sweep(data: Any) -> tuple[JobSpec, dict[str, list], str]:
    """A sweep request from any surface: its base spec (checked like any job's), its grid
    and its name."""
    sweep = validated(SweepRequest, data, what="The sweep (spec and grid)")
    return (
        JobSpec.of(sweep.spec),
        {key: list(values) for key, values in sweep.grid.items()},
        sweep.name,
    )


def validated(model: type[ModelT], data: Any, *, what: str) -> ModelT:
    """`data` as `model`, or InvalidInput naming every field to change."""
    if not isinstance(data, dict):
        raise InvalidInput(f"{what} must be a JSON object.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        message, fields = describe(exc, known=model.model_fields)
        raise InvalidInput(message, fields=fields) from None
