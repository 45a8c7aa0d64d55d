"""The checked-in model catalog (jobs/catalog/models.json) and the command that writes it."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from jobs.management.commands.refresh_model_catalog import CATALOG_FILE


def test_checked_in_model_catalog_matches_the_installed_packages():
    # Fails after a torch, torchvision or timm upgrade until the catalog is refreshed.
    call_command("refresh_model_catalog", "--check")


def test_refresh_writes_the_catalog_sorted_and_byte_for_byte_repeatable(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    call_command("refresh_model_catalog", "--output", str(first))
    call_command("refresh_model_catalog", "--output", str(second))
    assert first.read_bytes() == second.read_bytes() == CATALOG_FILE.read_bytes()
    models = json.loads(first.read_text())["models"]
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
