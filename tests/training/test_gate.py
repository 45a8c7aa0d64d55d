from __future__ import annotations

import statistics

import torch

from jobs.training.config import ASTConfig
from jobs.training.gate import SignificanceGate, significance


def _drifting_batches(steps: int, batch: int = 128):
    """Skewed per-sample losses whose scale shrinks as if the model were learning."""
    gen = torch.Generator().manual_seed(0)
    for t in range(steps):
        scale = 1.0 / (1.0 + t / 40)
        loss = (torch.rand(batch, generator=gen) ** 4) * 3 * scale + 1e-4
        entropy = torch.rand(batch, generator=gen) * loss.clamp(max=1.0)
        yield loss, entropy


def test_threshold_gate_tracks_target_activation_within_three_points():
    for target in (0.2, 0.4, 0.6):
        gate = SignificanceGate(ASTConfig(target_activation_rate=target), num_classes=10)
        rates = [
            float(gate.select(loss, entropy, len(loss)).float().mean())
            for loss, entropy in _drifting_batches(300)
        ]
        assert abs(statistics.mean(rates[20:]) - target) <= 0.03, target


def test_threshold_controller_does_not_wind_up_when_saturated():
    gate = SignificanceGate(ASTConfig(target_activation_rate=0.4, min_activation=0.0), 10)
    constant = torch.ones(64)  # every score ties: nothing can exceed any threshold
    for _ in range(200):
        gate.select(constant, constant, 64)
    assert abs(gate.integral) < 200 * 0.4  # bounded, not accumulating forever
    assert -4.0 <= gate.threshold <= 4.0


def test_topk_gate_selects_exact_fraction_each_batch():
    gate = SignificanceGate(ASTConfig(target_activation_rate=0.25, selection="topk"), 10)
    for loss, entropy in _drifting_batches(10, batch=100):
        mask = gate.select(loss, entropy, 100)
        assert int(mask.sum()) == 25
        assert loss[mask].min() >= 0  # sanity
        # the highest-loss row is always kept when entropy is correlated with loss
        assert bool(mask[int(torch.argmax(loss))])


def test_min_activation_floor_is_honoured():
    gate = SignificanceGate(ASTConfig(target_activation_rate=0.3, min_activation=0.2), 10)
    gate.threshold = gate.feed_forward = 10.0  # would select nothing
    gate.config.kp = gate.config.ki = 0.0
    mask = gate.select(torch.rand(50), torch.rand(50), 50)
    assert int(mask.sum()) == 10


def test_entropy_weight_is_scale_free():
    loss = torch.rand(64) + 0.1
    entropy = torch.rand(64)
    a = significance(loss, entropy, 0.3, 10)
    b = significance(loss * 100, entropy, 0.3, 10)
    assert torch.allclose(a, b, atol=1e-4)
    assert abs(float(a.mean())) < 1e-5 and abs(float(a.std(unbiased=False)) - 1) < 1e-3
