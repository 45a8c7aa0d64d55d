"""The packages the bundled engine needs on a remote machine, beyond torch, for one job.

Remote images differ: the HF Jobs image (`pytorch/pytorch`) has torch and little else,
Kaggle's ships most of the scientific stack but not mnist1d. So a launcher does not
assume; it hands the remote side this list, and the remote side installs what is missing.
The list follows the engine's own imports (jobs/training/data.py, models.py, vision.py,
outputs.py) for the job's data set and model, so a run never installs what it will not
import. The pins are the lock files' versions (tests/jobs/test_engine_requirements.py
holds them equal), so a remote run uses what the hub's own tests ran with.

This module reads names only: it never imports torch or the engine (the web process
checks specs without them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jobs.catalog.models import models_by_name


@dataclass(frozen=True)
class Requirement:
    package: str  # the name pip and importlib.metadata know it by
    version: str
    # torchvision is compiled against one torch: the right build is the one made for the
    # machine's torch, so it is asked for unpinned while the installer holds torch fixed.
    # `version` is then the build that goes with the lock's torch.
    follows_torch: bool = False

    @property
    def pip_spec(self) -> str:
        return self.package if self.follows_torch else f"{self.package}=={self.version}"


NUMPY = Requirement("numpy", "2.4.6")
# Weights are saved as model.safetensors (the hub's artifact contract); without the
# package the engine falls back to model.pt, which nothing downstream reads.
SAFETENSORS = Requirement("safetensors", "0.8.0")
SCIKIT_LEARN = Requirement("scikit-learn", "1.9.1")
MNIST1D = Requirement("mnist1d", "0.0.2.post1")
PILLOW = Requirement("pillow", "13.0.0")
TORCHVISION = Requirement("torchvision", "0.28.0", follows_torch=True)
TIMM = Requirement("timm", "1.0.31")
HUGGINGFACE_HUB = Requirement("huggingface-hub", "2.4.0")
HF_XET = Requirement("hf-xet", "1.8.0")
# Not in the locks: the hub never loads `hf:` data itself, only remote runs do. 5.2.0 is
# the current release (2026-11) and takes huggingface-hub 2.x on Python 3.11.
DATASETS = Requirement("datasets", "5.2.0")

# The engine's torchvision data-set names (jobs.training.data.TORCHVISION_SETS).
TORCHVISION_DATASETS = frozenset({"mnist", "fashion_mnist", "cifar10", "cifar100"})
BUILT_IN_MODELS = frozenset({"mlp", "cnn"})


def engine_requirements(config: Mapping[str, Any]) -> tuple[Requirement, ...]:
    """What the bundled engine imports for this engine config, beyond torch; in a fixed
    order, without repeats."""
    needed = [NUMPY, SAFETENSORS]
    needed += _for_dataset(str(config.get("dataset", "digits")))
    needed += _for_model(str(config.get("model", "mlp")), bool(config.get("pretrained")))
    return tuple(dict.fromkeys(needed))


def pip_specs(requirements: tuple[Requirement, ...]) -> str:
    """The list as one line of pip arguments (what a job's page shows)."""
    return " ".join(requirement.pip_spec for requirement in requirements)


def _for_dataset(dataset: str) -> list[Requirement]:
    kind, _, rest = dataset.partition(":")
    if dataset == "digits":
        return [SCIKIT_LEARN]
    if dataset == "mnist1d":
        return [MNIST1D]
    if kind == "npz":
        return []
    if kind in ("imagefolder", "kaggle", "competition"):
        # Kaggle sources reach the engine as imagefolder:/csv:/npz: paths; the raw forms
        # are read the same way in case a config still names one.
        return [] if rest.lower().endswith(".npz") else [PILLOW]
    if kind == "csv":
        # Whether the rows name images is known only once the file is read, remotely;
        # Pillow is small, so every CSV gets it.
        return [PILLOW]
    if kind == "hf":
        # Image sets decode through Pillow; which sets are images is known only remotely.
        return [DATASETS, PILLOW]
    name = rest if kind == "torchvision" else dataset
    if name.lower() in TORCHVISION_DATASETS:
        return [TORCHVISION, PILLOW]
    return []  # an unknown name: the engine itself reports the supported ones


def _for_model(model: str, pretrained: bool) -> list[Requirement]:
    if model in BUILT_IN_MODELS:
        return []
    entry = models_by_name().get(model)
    if entry is None:
        return []  # not in the catalog: the engine reports what it can build
    if entry.family == "torchvision":
        return [TORCHVISION, PILLOW]
    # timm builds on torchvision (jobs/training/vision.py); its pretrained weights come
    # through huggingface_hub, pinned here rather than left to timm's resolution.
    return [TORCHVISION, PILLOW, TIMM, *([HUGGINGFACE_HUB, HF_XET] if pretrained else [])]
