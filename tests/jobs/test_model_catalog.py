"""The checked-in model catalog (jobs/catalog/models.json) and the command that writes it."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from jobs.management.commands.refresh_model_catalog import (
    CATALOG_FILE,
    build_catalog,
    render,
    without_sizes,
)
from jobs.training.vision import parameter_millions


def test_checked_in_model_catalog_matches_the_installed_packages():
    # Fails after a torch, torchvision or timm upgrade until the catalog is refreshed.
    call_command("refresh_model_catalog", "--check")


def test_the_catalog_is_sorted_and_built_the_same_each_time():
    # Sizes take minutes (every model is built), so this compares everything else.
    first = render(build_catalog(with_sizes=False))
    second = render(build_catalog(with_sizes=False))
    assert first == second == render(without_sizes(json.loads(CATALOG_FILE.read_text())))
    models = json.loads(first)["models"]
    names = [m["name"] for m in models]
    assert names == sorted(names)
    by_name = {m["name"]: m for m in models}
    assert by_name["resnet18"] == {
        "name": "resnet18",
        "source": "torchvision",
        "fixed_input_size": None,
    }
    assert by_name["vit_b_16"]["fixed_input_size"] == 224
    assert by_name["vit_base_patch16_384"] == {
        "name": "vit_base_patch16_384",
        "source": "timm",
        "fixed_input_size": 384,
    }


def test_sizes_are_measured_without_allocating_and_checked_in():
    assert parameter_millions("resnet18", "torchvision") == 11.7
    # RegNets copy data while they initialise, which the meta device cannot; built for real.
    assert parameter_millions("regnet_x_400mf", "torchvision") == 5.5
    sizes = {
        m["name"]: m["params_millions"] for m in json.loads(CATALOG_FILE.read_text())["models"]
    }
    assert sizes["resnet18"] == 11.7 and sizes["resnet50"] == 25.6
    assert sizes["vit_l_16"] > 100 > sizes["vit_b_16"]


def test_catalog_check_names_what_a_stale_file_gets_wrong(tmp_path):
    catalog = json.loads(CATALOG_FILE.read_text())
    catalog["generated_for"]["timm"] = "1.0.30"
    catalog["models"] = [m for m in catalog["models"] if m["name"] != "resnet18"]
    catalog["models"].append({"name": "retired_net", "source": "timm", "fixed_input_size": None})
    stale = tmp_path / "models.json"
    stale.write_text(json.dumps(catalog))
    with pytest.raises(CommandError) as info:
        call_command("refresh_model_catalog", "--check", "--output", str(stale))
    message = str(info.value)
    assert "timm: file has 1.0.30, installed 1.0.31" in message
    assert "1 model(s) installed but not in the file: resnet18" in message
    assert "1 model(s) in the file but not installed: retired_net" in message
    assert json.loads(stale.read_text()) == catalog  # --check writes nothing
