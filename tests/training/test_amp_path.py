"""The CUDA + AMP path, run on the CPU: the trainer's mixed-precision branches (autocast,
loss scaling, float32 losses, weights and stored scores) with the device swapped for the
CPU's bfloat16 autocast and GradScaler. Nothing here needs a GPU."""

from __future__ import annotations

import pytest
import torch
from conftest import tiny_config

from jobs.training import Trainer
from jobs.training.accounting import EnergyMeter


def amp_trainer(tmp_path, quiet, **overrides) -> Trainer:
    trainer = Trainer(tiny_config(amp=True, device="cpu", **overrides), tmp_path, stream=quiet)
    assert not trainer.use_amp  # amp is for CUDA only: on the CPU the flag is ignored
    trainer.use_amp = True
    trainer.amp_dtype = torch.bfloat16
    trainer.scaler = torch.amp.GradScaler("cpu", enabled=True, init_scale=2.0**10)
    return trainer


@pytest.mark.parametrize("selection", ["importance", "threshold"])
def test_mixed_precision_steps_train_and_keep_float32_scores(tmp_path, quiet, selection):
    trainer = amp_trainer(tmp_path, quiet, epochs=4, ast={"selection": selection})
    calls = []
    step = trainer.scaler.step
    trainer.scaler.step = lambda optimizer: calls.append(1) or step(optimizer)
    summary = trainer.run()
    assert summary["status"] == "completed" and summary["amp"] is True
    assert len(calls) == summary["steps"]  # every step went through the loss scaler
    assert trainer.scaler.get_scale() > 0
    assert trainer.stored_loss.dtype == torch.float32
    if selection == "importance":  # scores come from the (autocast) training forward
        assert not torch.isnan(trainer.stored_loss).any()
    assert summary["final_val_accuracy"] > 0.5  # 10 classes: it learned under autocast
    assert 0.3 < summary["activation_rate_after_warmup"] < 0.5


def test_gpu_energy_estimate_is_wall_time_times_device_power(monkeypatch):
    monkeypatch.setattr("jobs.training.accounting.hardware_counters_readable", lambda device: False)
    meter = EnergyMeter(torch.device("cuda"), power_watts=300.0)
    assert meter.source == "estimated" and meter.estimate_basis.startswith("wall seconds")
    meter.start()
    seconds, _, kwh = meter.stop()
    assert kwh == pytest.approx(seconds * 300.0 / 3.6e6)
