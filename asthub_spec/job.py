"""The job spec: one pydantic model, strict (no "5" for 5, no 1 for true), closed (an
unknown field is an error, so a typo such as `learning_rte` never trains with a default)."""

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

Platform = Literal["local", "kaggle", "huggingface"]
PLATFORMS: tuple[str, ...] = get_args(Platform)
SelectionMode = Literal["importance", "threshold", "topk", "random"]
SELECTION_MODES: tuple[str, ...] = get_args(SelectionMode)
ScoringMode = Literal["fresh", "stale"]
SCORING_MODES: tuple[str, ...] = get_args(ScoringMode)

# Letters, digits, spaces and a few separators: names show up in URLs, kernel titles and
# model cards, where anything else needs escaping.
NAME_PATTERN = r"^[\w .:/@+-]*$"
# owner/name, as the Hugging Face Hub spells repository ids.
HF_REPO_PATTERN = r"^([\w.-]+/[\w.-]+)?$"

_CLOSED = ConfigDict(extra="forbid", frozen=True, strict=True)


class AstSettings(BaseModel):
    """How Adaptive Sparse Training picks the samples that get a backward pass. The
    defaults are the engine's (jobs.training.ASTConfig; a test holds them equal)."""

    model_config = _CLOSED

    target_activation_rate: float = Field(
        0.5,
        ge=0.01,
        le=1,
        description="Fraction of samples that get a backward pass in the selecting epochs.",
    )
    entropy_weight: float = Field(
        0.3, ge=0, le=1, description="Weight of prediction entropy in a sample's score."
    )
    warmup_epochs: int = Field(
        1, ge=0, le=1000, description="Epochs trained on every sample before AST selects."
    )
    selection: SelectionMode = Field(
        "importance",
        description="importance: each epoch keeps every sample with a probability that "
        "grows with its last loss and weights it by 1/probability (unbiased); threshold: a "
        "PI-controlled threshold on the score; topk: an exact fraction per batch; random: a "
        "random subset (the control to beat).",
    )
    anneal_fraction: float = Field(
        0.125,
        ge=0,
        le=0.95,
        description="Share of the final epochs that train on every sample again.",
    )
    min_keep_probability: float = Field(
        0.1,
        ge=0.01,
        le=1,
        description="importance: the lowest probability a sample is kept with (its weight "
        "is at most the inverse).",
    )
    scale_learning_rate: bool = Field(
        True,
        description="importance: scale the learning rate in sampled epochs for the larger "
        "batch each step stands for (square root for Adam, linear for SGD).",
    )
    kp: float = Field(1.5, ge=0, le=100, description="PI controller gain (proportional).")
    ki: float = Field(0.15, ge=0, le=100, description="PI controller gain (integral).")
    min_activation: float = Field(
        0.05,
        ge=0,
        le=1,
        validate_default=True,
        description="Lowest activation rate the controller may reach (at most "
        "target_activation_rate).",
    )
    scoring: ScoringMode = Field(
        "fresh",
        description="fresh: score every batch with a no-grad forward; stale: reuse each "
        "sample's last loss and rescore everything every few epochs.",
    )

    @field_validator("min_activation")
    @classmethod
    def _floor_below_target(cls, value: float, info: ValidationInfo) -> float:
        target = info.data.get("target_activation_rate")
        if target is not None and value > target:
            raise ValueError(f"must not exceed target_activation_rate ({target})")
        return value


AST_KEYS: tuple[str, ...] = tuple(AstSettings.model_fields)


class JobSpec(BaseModel):
    """One training run: what to train, on what, where, and how AST selects."""

    model_config = _CLOSED

    dataset: str = Field(
        "digits",
        min_length=1,
        max_length=300,
        description="A catalog name (digits, mnist1d, cifar10, imagenet-100, ...), "
        "kaggle:OWNER/DATASET[/PATH], competition:SLUG/FILE[:LABEL] or hf:OWNER/NAME[:SPLIT]. "
        "GET /api/v1/catalog (MCP: list_catalog) lists them.",
    )
    model: str = Field(
        "mlp",
        min_length=1,
        max_length=100,
        description="mlp, cnn, or a torchvision/timm architecture (resnet18, resnet50, "
        "efficientnet_b0, vit_b_16, ...); the catalog lists them.",
    )
    platform: Platform = Field("local", description="Where the run trains.")
    hardware: str = Field(
        "cpu",
        min_length=1,
        max_length=40,
        description="cpu, or an accelerator the platform offers and your plan allows "
        "(Kaggle: t4, l4, a100, h100, tpu-v5e-8; Hugging Face: its flavor names).",
    )
    epochs: int = Field(10, ge=1, le=1000)
    batch_size: int = Field(128, ge=1, le=65536)
    learning_rate: float = Field(1e-3, ge=1e-8, le=10)
    seed: int = Field(0, ge=0, le=2**31 - 1, description="Fixes the split and the init.")
    image_size: int | None = Field(
        None,
        ge=8,
        le=512,
        description="Side in pixels that images are resized to for a vision model "
        "(default: the engine's, 64).",
    )
    pretrained: bool = Field(
        False,
        description="Fine-tune from the architecture's ImageNet weights (torchvision or "
        "timm models). The weights download when the run starts, so the platform needs "
        "internet: Hugging Face Jobs has it, a Kaggle kernel gets it on a phone-verified "
        "account, this hub's workers where the operator allows it.",
    )
    name: str = Field(
        "",
        max_length=100,
        pattern=NAME_PATTERN,
        description="A label for the run: letters, digits, spaces and . : / @ + - _",
    )
    ast_config: AstSettings = Field(default_factory=AstSettings)
    with_baseline: bool = Field(
        False, description="Also run plain training to compare with (takes a second slot)."
    )
    auto_upload_hf: bool = Field(
        False, description="Publish the model to Hugging Face when the run succeeds."
    )
    hf_repo: str = Field(
        "",
        max_length=200,
        pattern=HF_REPO_PATTERN,
        validate_default=True,
        description="owner/name on Hugging Face, for auto_upload_hf.",
    )

    @field_validator("hf_repo")
    @classmethod
    def _upload_needs_repo(cls, value: str, info: ValidationInfo) -> str:
        if info.data.get("auto_upload_hf") and not value:
            raise ValueError("auto_upload_hf needs hf_repo (e.g. 'alice/digits-ast')")
        return value
