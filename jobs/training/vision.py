"""torchvision and timm: imported so they work beside a CPU-only torch; what they offer.

The torchvision 0.28.0 wheel on the package index is a CUDA build. Next to the CPU torch its
C++ extension cannot load (it links ``libtorch_cuda.so``), and ``import torchvision`` then
dies while registering fake kernels for ``torchvision::nms`` and ``qnms``, operators the
extension would have defined. Defining those two schemas first lets the import finish; the
detection ops stay unavailable, and no classifier uses them. Where the extension loads (a
CUDA torch on Kaggle or Hugging Face) nothing is changed. timm imports torchvision, so it
is only imported after the same preparation.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import torch

# Referenced for the life of the process: dropping the Library object unregisters its ops.
_stand_in_ops: torch.library.Library | None = None
_prepared = False

# These two torchvision families size part of the network at construction (ViT its position
# embeddings, MaxViT its partition grid): 224 px unless pretrained weights set their own
# size. Every other torchvision classifier pools adaptively and takes any size above a
# minimum (swin pads to its windows), as a forward at 32, 64, 224 and 225 px showed on 0.28.0.
_TORCHVISION_FIXED_SIZE_MODULES = (
    "torchvision.models.vision_transformer",
    "torchvision.models.maxvit",
)
_TORCHVISION_BUILDER_SIDE = 224


def torchvision_module() -> ModuleType | None:
    """The torchvision package, or None when it is not installed."""
    if "torchvision" not in sys.modules:
        spec = importlib.util.find_spec("torchvision")
        if spec is None or not spec.submodule_search_locations:
            return None
        _prepare_torchvision(Path(spec.submodule_search_locations[0]))
    try:
        return importlib.import_module("torchvision")
    except ImportError:
        return None


def timm_module() -> ModuleType | None:
    """The timm package, or None when it (or the torchvision it needs) is not installed."""
    if torchvision_module() is None or importlib.util.find_spec("timm") is None:
        return None
    try:
        return importlib.import_module("timm")
    except ImportError:
        return None


def _prepare_torchvision(package_dir: Path) -> None:
    global _prepared, _stand_in_ops
    if _prepared:
        return
    _prepared = True
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        extension = package_dir / f"_C{suffix}"
        if extension.exists():
            try:
                torch.ops.load_library(str(extension))
            except OSError:
                break  # a build for another torch: define the stand-ins below
            return
    library = torch.library.Library("torchvision", "DEF")
    library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    library.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _stand_in_ops = library


def torchvision_classifiers() -> list[str]:
    """torchvision's classification architectures (no detection, video or quantized ones)."""
    torchvision = torchvision_module()
    if torchvision is None:
        return []
    return list(torchvision.models.list_models(module=torchvision.models))


def timm_classifiers() -> list[str]:
    timm = timm_module()
    return [] if timm is None else list(timm.list_models())


def model_source(name: str) -> str | None:
    """``torchvision`` or ``timm`` for a name either can build (torchvision wins), else None."""
    if name in torchvision_classifiers():
        return "torchvision"
    timm = timm_module()
    if timm is not None and timm.is_model(name):
        return "timm"
    return None


def fixed_input_size(name: str, source: str, pretrained: bool = False) -> int | None:
    """The image side the model accepts, or None when any size (above a minimum) works."""
    if source == "timm":
        timm = timm_module()
        cfg = timm.get_pretrained_cfg(name) if timm is not None else None
        # timm builds the model at the input size of its pretrained config, weights or not.
        if cfg is None or not cfg.fixed_input_size:
            return None
        return int(cfg.input_size[-1])
    torchvision = torchvision_module()
    if torchvision is None:
        return None
    builder = torchvision.models.get_model_builder(name)
    if builder.__module__ not in _TORCHVISION_FIXED_SIZE_MODULES:
        return None
    if pretrained:
        weights = torchvision.models.get_model_weights(name).DEFAULT
        return int(weights.meta["min_size"][0])
    return _TORCHVISION_BUILDER_SIDE


def parameter_millions(name: str, source: str) -> float:
    """The model's size in millions of parameters, as the engine would build it for
    ImageNet's 1,000 classes (the catalog's measure of "large")."""
    import torch

    torchvision = torchvision_module()
    timm = timm_module()

    def build():
        if source == "torchvision":
            return torchvision.models.get_model(name, weights=None)
        return timm.create_model(name, pretrained=False)

    try:
        # On the meta device nothing is allocated: every size costs milliseconds.
        with torch.device("meta"):
            model = build()
    except (RuntimeError, NotImplementedError):
        # A few builders initialise weights by copying data (torchvision's RegNets).
        with torch.no_grad():
            model = build()
    return round(sum(p.numel() for p in model.parameters()) / 1e6, 1)
