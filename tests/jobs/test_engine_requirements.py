"""What a remote run installs for the engine: the right packages for each data set and
model, at the versions the hub's lock files pin."""

import re
from pathlib import Path

import pytest

from jobs.platforms import engine_requirements as needs
from jobs.platforms.engine_requirements import engine_requirements, pip_specs
from jobs.platforms.huggingface.bootstrap import requirements_variable

ROOT = Path(__file__).resolve().parents[2]
PINNED = [
    value
    for value in vars(needs).values()
    if isinstance(value, needs.Requirement) and value is not needs.DATASETS
]


def locked_versions(lock: str) -> dict[str, str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {
        name.lower().replace("_", "-"): version
        for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", text, re.MULTILINE)
    }


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
@pytest.mark.parametrize("requirement", PINNED, ids=lambda r: r.package)
def test_engine_pins_are_the_lock_files_versions(lock, requirement):
    assert locked_versions(lock).get(requirement.package) == requirement.version


def test_datasets_is_the_one_pin_outside_the_locks():
    # The hub never loads hf: data itself; if the locks ever take datasets, pin it there.
    assert "datasets" not in locked_versions("requirements-dev.lock")


def packages(**config) -> set[str]:
    return {r.package for r in engine_requirements(config)}


def test_every_run_gets_numpy_and_safetensors_and_never_torch():
    assert packages(dataset="npz:/data/x.npz", model="cnn") == {"numpy", "safetensors"}
    assert "torch" not in packages(dataset="cifar10", model="resnet18")


def test_each_data_set_brings_what_the_engine_imports_for_it():
    assert packages(dataset="digits") >= {"scikit-learn"}
    assert "scikit-learn" not in packages(dataset="mnist1d")
    assert packages(dataset="mnist1d") >= {"mnist1d"}
    assert packages(dataset="imagefolder:/kaggle/input/flowers") >= {"pillow"}
    assert packages(dataset="csv:/kaggle/input/leaves/train.csv:label") >= {"pillow"}
    assert packages(dataset="hf:clane9/imagenet-100") >= {"datasets", "pillow"}
    assert packages(dataset="cifar10") >= {"torchvision"}
    assert "pillow" not in packages(dataset="npz:/kaggle/input/s/x.npz")


def test_vision_models_bring_their_library():
    assert "torchvision" in packages(model="resnet18")
    assert "timm" not in packages(model="resnet18")
    assert packages(model="vit_tiny_patch16_224") >= {"timm", "torchvision"}
    assert packages(model="vit_tiny_patch16_224", pretrained=True) >= {"huggingface-hub"}
    assert packages(model="mlp") == packages(model="cnn") == packages()


def test_torchvision_is_asked_for_as_the_build_of_the_machines_torch():
    specs = pip_specs(engine_requirements({"dataset": "cifar10"})).split()
    assert "torchvision" in specs and "numpy==2.4.6" in specs


def test_hf_job_list_adds_the_hub_client_once():
    specs = requirements_variable({"dataset": "digits"}).split()
    assert specs.count("safetensors==0.8.0") == 1
    assert {"huggingface-hub==2.4.0", "hf-xet==1.8.0", "scikit-learn==1.9.1"} <= set(specs)


def test_torchvision_data_set_names_are_the_engines():
    from jobs.training.data import TORCHVISION_SETS

    assert set(TORCHVISION_SETS) == needs.TORCHVISION_DATASETS
