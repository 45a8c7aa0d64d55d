"""Models: ``mlp`` and ``cnn`` built in; torchvision and timm names when importable."""

from __future__ import annotations

import math

import torch
from torch import nn

from .errors import ModelError
from .vision import fixed_input_size, model_source, timm_module, torchvision_module

BUILTIN_MODELS = ("mlp", "cnn")


class MLP(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_classes: int, hidden: int = 256) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(math.prod(input_shape), hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class CNN1d(nn.Module):
    """Strided 1-D convolutions, then a linear head over the flattened feature map.

    Flattening (not global pooling) keeps position, which MNIST-1D's digits depend on.
    """

    def __init__(self, input_shape: tuple[int, ...], num_classes: int, width: int = 32) -> None:
        super().__init__()
        channels = input_shape[0] if len(input_shape) == 2 else 1
        self.add_channel = len(input_shape) == 1
        self.features = nn.Sequential(
            nn.Conv1d(channels, width, 5, stride=2, padding=2),
            nn.ReLU(),
            nn.Conv1d(width, width, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv1d(width, width, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
        )
        length = input_shape[-1]
        for _ in range(3):
            length = (length - 1) // 2 + 1
        self.head = nn.Linear(width * length, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.add_channel:
            x = x.unsqueeze(1)
        return self.head(self.features(x))


class CNN2d(nn.Module):
    def __init__(self, input_shape: tuple[int, ...], num_classes: int, width: int = 32) -> None:
        super().__init__()
        channels = input_shape[0]
        small = min(input_shape[1:]) < 16  # e.g. 8x8 digits: one pooling step only
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(width, 2 * width, 3, padding=1),
            nn.ReLU(),
            nn.Identity() if small else nn.MaxPool2d(2),
            nn.AdaptiveAvgPool2d(4),
            nn.Flatten(),
        )
        self.head = nn.Sequential(
            nn.Linear(2 * width * 16, 128), nn.ReLU(), nn.Linear(128, num_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class _RepeatChannels(nn.Module):
    """Lets ImageNet models (3 channels) train on grey-scale inputs."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x.expand(-1, 3, -1, -1))


def build_model(
    name: str, input_shape: tuple[int, ...], num_classes: int, pretrained: bool = False
) -> nn.Module:
    """Build a classifier for inputs of ``input_shape`` (without the batch dimension)."""
    if name == "mlp":
        return MLP(input_shape, num_classes)
    if name == "cnn":
        if len(input_shape) in (1, 2):
            return CNN1d(input_shape, num_classes)
        if len(input_shape) == 3:
            return CNN2d(input_shape, num_classes)
        raise ModelError(f"cnn needs 1-D or 2-D inputs, got shape {input_shape}")
    if len(input_shape) != 3:
        raise ModelError(f"model {name!r} needs image inputs (C, H, W), got {input_shape}")
    source = model_source(name)
    if source is None:
        raise ModelError(
            f"unknown model {name!r}; built in: {', '.join(BUILTIN_MODELS)}; torchvision "
            "and timm names (resnet18, resnet50, efficientnet_b0, ...) need those packages"
        )
    side = fixed_input_size(name, source, pretrained)
    if side is not None and tuple(input_shape[1:]) != (side, side):
        raise ModelError(
            f"model {name!r} takes {side}x{side} images only; set image_size to {side} "
            f"(the images are {input_shape[1]}x{input_shape[2]})"
        )
    if source == "torchvision":
        model = _torchvision_model(name, num_classes, pretrained)
    else:
        model = _timm_model(name, num_classes, pretrained)
    return _RepeatChannels(model) if input_shape[0] == 1 else model


# In training mode these return (logits, auxiliary logits); the loop trains on logits only.
_AUXILIARY_HEADS = ("googlenet", "inception_v3")


def fetch_pretrained_weights(name: str) -> None:
    """Download ``name``'s pretrained weights into the local cache (torch's, or the Hugging
    Face Hub's for timm), or raise ModelError saying the run cannot reach them."""
    source = model_source(name)
    if source is None:
        raise ModelError(f"model {name!r} has no pretrained weights (not torchvision or timm)")
    if source == "torchvision":
        torchvision = torchvision_module()
        assert torchvision is not None  # model_source found the name there
        try:
            torchvision.models.get_model_weights(name).DEFAULT.get_state_dict(progress=False)
        except Exception as exc:  # noqa: BLE001  (unreachable network, corrupt download)
            raise _build_error(source, name, True, exc) from exc
    else:
        _timm_model(name, 2, pretrained=True)


def _torchvision_model(name: str, num_classes: int, pretrained: bool) -> nn.Module:
    torchvision = torchvision_module()
    assert torchvision is not None  # model_source found the name there
    kwargs: dict[str, object] = {"aux_logits": False} if name in _AUXILIARY_HEADS else {}
    if not pretrained:
        # Every classification builder takes num_classes: the head is built at its size.
        kwargs["num_classes"] = num_classes
    try:
        model = torchvision.models.get_model(
            name, weights="DEFAULT" if pretrained else None, **kwargs
        )
    except Exception as exc:  # noqa: BLE001  (weights unreachable offline)
        raise _build_error("torchvision", name, pretrained, exc) from exc
    if pretrained:
        replace_head(model, num_classes, name)
    return model


def replace_head(model: nn.Module, num_classes: int, name: str) -> None:
    """Swap a pretrained ImageNet classifier for one with ``num_classes`` outputs."""
    for attr in ("fc", "classifier", "head", "heads"):
        head = getattr(model, attr, None)
        if isinstance(head, nn.Linear):
            setattr(model, attr, nn.Linear(head.in_features, num_classes))
            return
        if isinstance(head, nn.Sequential):
            for i in range(len(head) - 1, -1, -1):
                if isinstance(head[i], nn.Linear):
                    head[i] = nn.Linear(head[i].in_features, num_classes)
                    return
                # SqueezeNet classifies with a 1x1 convolution before global pooling.
                if isinstance(head[i], nn.Conv2d) and head[i].kernel_size == (1, 1):
                    head[i] = nn.Conv2d(head[i].in_channels, num_classes, kernel_size=1)
                    return
    raise ModelError(f"cannot find the classifier layer of torchvision model {name!r}")


def _timm_model(name: str, num_classes: int, pretrained: bool) -> nn.Module:
    timm = timm_module()
    assert timm is not None  # model_source found the name there
    try:
        return timm.create_model(name, pretrained=pretrained, num_classes=num_classes)
    except Exception as exc:  # noqa: BLE001  (weights unreachable offline)
        raise _build_error("timm", name, pretrained, exc) from exc


NO_INTERNET_HINT = (
    "the run could not download them. A Kaggle kernel reaches the internet only on a "
    "phone-verified account (kaggle.com/settings); elsewhere, check that the machine "
    "can reach download.pytorch.org and huggingface.co, or train without pretrained."
)


def _build_error(source: str, name: str, pretrained: bool, exc: Exception) -> ModelError:
    """Say plainly when it was the weights' download that failed: the first thing a
    pretrained run does, so it fails within seconds rather than after spending quota."""
    if pretrained and isinstance(exc, OSError | ConnectionError):  # URLError, HF's errors
        return ModelError(
            f"pretrained weights for {source} model {name!r} are not available here: "
            f"{NO_INTERNET_HINT} ({type(exc).__name__}: {exc})"
        )
    return ModelError(f"could not build {source} model {name!r}: {exc}")
