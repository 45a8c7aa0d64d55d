"""The job specification every surface hands to `start_training`, validated once here.

The engine's own config validation is the final word on what it can run; this module
adds the hub's rules (platforms, hardware names, sane bounds) and builds the exact engine
config that the job stores and runs.
"""

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from asthub_site.errors import InvalidInput
from jobs.platforms.huggingface.flavors import DEFAULT_FLAVOR as HF_DEFAULT_FLAVOR
from jobs.platforms.huggingface.flavors import check_flavor
from jobs.platforms.kaggle.kernels import canonical_hardware, data_sources, is_kaggle_source
from jobs.training import ConfigError, TrainingConfig

PLATFORMS = ("local", "kaggle", "huggingface")
AST_KEYS = (
    "target_activation_rate",
    "entropy_weight",
    "warmup_epochs",
    "selection",
    "kp",
    "ki",
    "min_activation",
    "scoring",
)
FILE_DATASET_KINDS = frozenset({"npz", "csv", "imagefolder"})
MAX_EPOCHS = 1000
MAX_BATCH = 65536
_NAME_RE = re.compile(r"^[\w .:/@+-]*$")


@dataclass(frozen=True)
class JobSpec:
    dataset: str = "digits"
    model: str = "mlp"
    epochs: int = 10
    batch_size: int = 128
    learning_rate: float = 1e-3
    seed: int = 0
    platform: str = "local"
    hardware: str = "cpu"
    name: str = ""
    ast_config: dict[str, Any] = field(default_factory=dict)
    with_baseline: bool = False
    auto_upload_hf: bool = False
    hf_repo: str = ""

    def __post_init__(self) -> None:
        # "cpu", the default, names each platform's plain CPU machine.
        if self.platform == "huggingface" and self.hardware == "cpu":
            object.__setattr__(self, "hardware", HF_DEFAULT_FLAVOR)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "JobSpec":
        if not isinstance(data, dict):
            raise InvalidInput("The job spec must be a JSON object.")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise InvalidInput(
                f"Unknown field(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}.",
                fields={name: ["unknown field"] for name in unknown},
            )
        spec = cls(**data)
        if spec.platform == "kaggle" and isinstance(spec.hardware, str):
            # One name per accelerator (t4x2, p100 → t4) so the plan check sees it too.
            spec = replace(spec, hardware=canonical_hardware(spec.hardware))
        spec.validate()
        return spec

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def validate(self) -> None:
        _check_type("dataset", self.dataset, str)
        _check_type("model", self.model, str)
        _check_type("name", self.name, str)
        _check_type("hf_repo", self.hf_repo, str)
        _check_type("hardware", self.hardware, str)
        _check_type("with_baseline", self.with_baseline, bool)
        _check_type("auto_upload_hf", self.auto_upload_hf, bool)
        _check_type("ast_config", self.ast_config, dict)
        if self.platform not in PLATFORMS:
            raise InvalidInput(
                f"Unknown platform {self.platform!r}; platforms: {', '.join(PLATFORMS)}.",
                fields={"platform": ["invalid"]},
            )
        _check_int("epochs", self.epochs, 1, MAX_EPOCHS)
        _check_int("batch_size", self.batch_size, 1, MAX_BATCH)
        _check_int("seed", self.seed, 0, 2**31 - 1)
        if len(self.name) > 100 or not _NAME_RE.match(self.name):
            raise InvalidInput("name: at most 100 letters, digits, spaces and . : / @ + - _")
        if not self.dataset or len(self.dataset) > 300:
            raise InvalidInput("dataset: 1 to 300 characters.", fields={"dataset": ["invalid"]})
        if self.platform == "local" and self.dataset.split(":", 1)[0] in FILE_DATASET_KINDS:
            # A path on the hub's own disk would let one tenant read another's files.
            raise InvalidInput(
                "File data sets (npz:, csv:, imagefolder:) are for Kaggle and Hugging Face "
                "runs; on the local platform use digits, mnist1d, hf:NAME or a torchvision set.",
                fields={"dataset": ["not allowed on local"]},
            )
        if len(self.hardware) > 40:
            raise InvalidInput("hardware: at most 40 characters.")
        if self.platform == "huggingface":
            check_flavor(self.hardware)
        elif self.platform == "kaggle":
            if canonical_hardware(self.hardware) != self.hardware:
                raise InvalidInput(
                    f"On Kaggle, hardware {self.hardware!r} is called "
                    f"{canonical_hardware(self.hardware)!r}.",
                    fields={"hardware": ["use the canonical name"]},
                )
        elif is_kaggle_source(self.dataset):
            raise InvalidInput(
                "kaggle: and competition: data sets are attached to Kaggle kernels; "
                "use platform 'kaggle' for them.",
                fields={"dataset": ["kaggle only"]},
            )
        unknown_ast = sorted(set(self.ast_config) - set(AST_KEYS))
        if unknown_ast:
            raise InvalidInput(
                f"Unknown ast_config key(s): {', '.join(unknown_ast)}; "
                f"known: {', '.join(AST_KEYS)}.",
                fields={"ast_config": ["unknown key"]},
            )
        if self.auto_upload_hf and not self.hf_repo:
            raise InvalidInput(
                "auto_upload_hf needs hf_repo (e.g. 'alice/digits-ast').",
                fields={"hf_repo": ["required"]},
            )
        self.engine_config()  # the engine validates the rest

    def engine_config(self) -> dict[str, Any]:
        """The exact config the engine runs, validated by the engine itself."""
        dataset = self.dataset
        if self.platform == "kaggle":
            # The kernel reads an attached data set from /kaggle/input/...
            dataset = data_sources(self.dataset).engine_dataset
        raw = {
            "dataset": dataset,
            "model": self.model,
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "learning_rate": self.learning_rate,
            "seed": self.seed,
            "ast": dict(self.ast_config),
        }
        try:
            return TrainingConfig.from_dict(raw).to_dict()
        except ConfigError as exc:
            raise InvalidInput(str(exc)) from exc

    def platform_state(self) -> dict[str, Any]:
        """What the platform needs at launch beyond the engine config (Kaggle: the data
        sets and competitions to attach to the kernel)."""
        if self.platform == "kaggle":
            return {"data_sources": data_sources(self.dataset).as_state()}
        return {}


def _check_type(name: str, value: Any, kind: type) -> None:
    if not isinstance(value, kind):
        raise InvalidInput(
            f"{name} must be a {kind.__name__}.", fields={name: [f"expected {kind.__name__}"]}
        )


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(
            f"{name} must be an integer from {low} to {high}.", fields={name: ["out of range"]}
        )
