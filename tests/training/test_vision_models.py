"""torchvision and timm classifiers in the engine, beside the CPU-only torch of this machine."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
import torch
from conftest import REPO_ROOT, run_bundled, subprocess_env, tiny_config

from jobs.training import ModelError, build_script, train
from jobs.training.models import build_model, replace_head
from jobs.training.vision import model_source, torchvision_module


def test_torchvision_imports_through_the_engine_in_a_fresh_interpreter_and_builds_resnet18():
    code = textwrap.dedent(
        """
        import torch
        from jobs.training.vision import timm_module, torchvision_module
        torchvision = torchvision_module()
        model = torchvision.models.resnet18(num_classes=3).eval()
        print(tuple(model(torch.zeros(2, 3, 32, 32)).shape))
        print(timm_module().__version__)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["(2, 3)", "1.0.31"]


def test_resnet18_trains_on_digits_resized_to_image_size(tmp_path, quiet):
    config = tiny_config(model="resnet18", epochs=1, image_size=16, max_samples=400)
    summary = train(config, tmp_path, stream=quiet)
    assert summary["status"] == "completed" and summary["epochs_completed"] == 1
    assert summary["input_shape"] == [1, 16, 16]  # 8x8 digits, trained at image_size
    assert summary["num_parameters"] > 11_000_000  # a real ResNet-18, not a small stand-in
    written = json.loads((tmp_path / "summary.json").read_text())
    assert written["model"] == "resnet18" and written["final_val_accuracy"] is not None


def test_builtin_cnn_keeps_the_native_digit_size(tmp_path, quiet):
    summary = train(tiny_config(model="cnn", epochs=1, image_size=32), tmp_path, stream=quiet)
    assert summary["input_shape"] == [1, 8, 8]


def test_timm_only_model_builds_and_classifies():
    assert model_source("resnet10t") == "timm"
    model = build_model("resnet10t", (3, 32, 32), 5).eval()
    assert tuple(model(torch.zeros(2, 3, 32, 32)).shape) == (2, 5)


def test_torchvision_wins_where_both_packages_have_the_name():
    assert model_source("resnet18") == "torchvision"


def test_unknown_model_name_raises_model_error_naming_the_built_in_ones():
    with pytest.raises(ModelError, match="unknown model 'resnet_nonexistent'.*mlp, cnn"):
        build_model("resnet_nonexistent", (3, 32, 32), 5)


def test_fixed_size_models_refuse_other_image_sizes_before_building():
    with pytest.raises(ModelError, match="set image_size to 224"):
        build_model("vit_b_16", (3, 32, 32), 5)
    with pytest.raises(ModelError, match="set image_size to 160"):
        build_model("test_vit", (1, 32, 32), 5)


@pytest.mark.filterwarnings("ignore:The default weight initialization of GoogleNet")
def test_inception_family_trains_on_main_logits_only():
    model = build_model("googlenet", (1, 32, 32), 4).train()
    assert tuple(model(torch.zeros(2, 1, 32, 32)).shape) == (2, 4)


@pytest.mark.parametrize("name", ["resnet18", "squeezenet1_1"])
def test_pretrained_head_is_swapped_for_one_with_the_task_classes(name):
    model = torchvision_module().models.get_model(name).eval()  # ImageNet-sized head
    replace_head(model, 7, name)
    assert tuple(model(torch.zeros(1, 3, 64, 64)).shape) == (1, 7)


def test_bundled_script_trains_a_torchvision_model_without_the_repository(tmp_path):
    config = tiny_config(model="resnet18", epochs=1, image_size=16, max_samples=200)
    result = run_bundled(build_script(config), tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "completed" and summary["input_shape"] == [1, 16, 16]
