"""One exception family for every error a caller of the engine can cause.

The CLI maps these to a one-line message and exit status 2; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations


class EngineError(Exception):
    """Base of all user-facing engine errors (bad config, missing data set, unknown model)."""


class ConfigError(EngineError):
    """The training configuration is invalid."""


class DatasetError(EngineError):
    """The data set is unknown, unreachable or malformed."""


class ModelError(EngineError):
    """The model name is unknown or its package is not installed."""
