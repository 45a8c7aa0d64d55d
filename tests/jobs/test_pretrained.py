"""pretrained: ImageNet weights where the platform can download them, refused before
launch where it cannot, and a readable failure when a kernel turns out to be offline."""

import pytest
import torch

from asthub_site.errors import InvalidInput
from jobs.spec import JobSpec
from jobs.training.errors import ModelError
from jobs.training.models import build_model


def _refusal(**spec) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        JobSpec.from_dict(spec)
    return info.value


def test_a_built_in_model_has_no_weights_to_start_from():
    refusal = _refusal(model="mlp", pretrained=True)
    assert "mlp has no pretrained weights" in refusal.message
    assert "pretrained" in refusal.fields


def test_local_workers_without_internet_refuse_pretrained_before_anything_starts(settings):
    settings.LOCAL_RUNS_HAVE_INTERNET = False
    refusal = _refusal(model="resnet18", pretrained=True)
    assert "LOCAL_RUNS_HAVE_INTERNET=1" in refusal.message
    assert "huggingface" in refusal.message


def test_local_workers_with_internet_run_pretrained(settings):
    settings.LOCAL_RUNS_HAVE_INTERNET = True
    spec = JobSpec.from_dict({"model": "resnet18", "pretrained": True})
    assert spec.engine_config()["pretrained"] is True


def test_remote_platforms_take_pretrained_and_a_kernel_asks_for_internet():
    on_hf = JobSpec.from_dict({"model": "resnet50", "pretrained": True, "platform": "huggingface"})
    assert on_hf.engine_config()["pretrained"] is True
    on_kaggle = JobSpec.from_dict(
        {"dataset": "imagenet-100", "model": "resnet50", "pretrained": True,
         "platform": "kaggle", "hardware": "t4"}
    )  # fmt: skip
    assert on_kaggle.engine_config()["pretrained"] is True


def test_a_rerun_keeps_pretrained(alice, settings):
    from jobs.services import spec_of, start_training

    settings.LOCAL_RUNS_HAVE_INTERNET = True
    spec = JobSpec.from_dict({"model": "resnet18", "pretrained": True, "dataset": "digits"})
    job = start_training(user=alice, spec=spec)
    assert spec_of(job).pretrained is True


def test_weights_in_the_cache_are_loaded_and_the_head_is_resized(tmp_path, monkeypatch):
    """What a platform with internet leaves in TORCH_HOME: the architecture's own file."""
    from jobs.training.vision import torchvision_module

    torchvision = torchvision_module()
    weights = torchvision.models.get_model_weights("resnet18").DEFAULT
    reference = torchvision.models.resnet18()
    checkpoints = tmp_path / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.save(reference.state_dict(), checkpoints / weights.url.rsplit("/", 1)[-1])
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    model = build_model("resnet18", (3, 32, 32), 5, pretrained=True)
    assert model.fc.out_features == 5
    assert torch.equal(model.conv1.weight, reference.conv1.weight)


def test_an_offline_run_says_the_weights_could_not_download(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    # A proxy that refuses every connection: offline as a kernel without internet is.
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(ModelError) as info:
        build_model("resnet18", (3, 32, 32), 5, pretrained=True)
    assert "pretrained weights for torchvision model 'resnet18'" in str(info.value)
    assert "phone-verified" in str(info.value)


def test_an_offline_pretrained_run_fails_before_it_reads_any_data(tmp_path, monkeypatch):
    from jobs.training.loop import Trainer

    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    # The data does not exist: reading it first would raise a DatasetError instead.
    config = {"dataset": f"imagefolder:{tmp_path / 'absent'}", "model": "resnet18",
              "pretrained": True, "epochs": 1}  # fmt: skip
    with pytest.raises(ModelError, match="phone-verified"):
        Trainer(config, tmp_path / "out")
