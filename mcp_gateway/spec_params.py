"""MCP tool parameters derived from the job spec's declaration (asthub_spec), so a tool's
input schema says exactly what REST, the portal and the CLI say."""

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, Field, Strict

from asthub_spec import JobSpec

_SCALARS = (int, float, bool, str, int | None)


def spec_parameters(*, exclude: tuple[str, ...] = ()) -> list[inspect.Parameter]:
    """One keyword parameter per spec field, with its type, bounds, default and text."""
    parameters = []
    for name, info in JobSpec.model_fields.items():
        if name in exclude:
            continue
        # The SDK builds a lax argument model; Strict keeps "5" from passing as 5 here
        # when REST refuses it (nested models carry their own strict config).
        strict = [Strict()] if info.annotation in _SCALARS else []
        annotation = Annotated[
            (info.annotation, *info.metadata, *strict, Field(description=info.description))
        ]
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=info.get_default(call_default_factory=True),
                annotation=annotation,
            )
        )
    return parameters


def takes_spec_fields(*, exclude: tuple[str, ...] = ()) -> Callable:
    """Give a tool `fn(own params..., **spec)` the spec's fields as its parameters."""

    def decorate(fn: Callable) -> Callable:
        own = [
            parameter
            for parameter in inspect.signature(fn).parameters.values()
            if parameter.kind is not inspect.Parameter.VAR_KEYWORD
        ]
        signature = inspect.signature(fn)
        fn.__signature__ = signature.replace(parameters=own + spec_parameters(exclude=exclude))
        return fn

    return decorate


def spec_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """A tool's spec arguments as the plain dict JobSpec.from_dict reads."""
    return {
        name: value.model_dump() if isinstance(value, BaseModel) else value
        for name, value in arguments.items()
    }
