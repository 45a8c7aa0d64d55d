from __future__ import annotations

import math

import pytest
import torch
from conftest import read_metrics, tiny_config

from jobs.training import Trainer, train
from jobs.training.accounting import EnergyLedger, WorkCounters
from jobs.training.config import ASTConfig
from jobs.training.sampling import (
    ImportanceSampler,
    feed_forward_log_scale,
    gradient_scores,
    keep_probabilities,
)


def skewed_losses(n: int = 20_000, seed: int = 0) -> torch.Tensor:
    """Per-row losses shaped like a fitted model's: most tiny, a tail of hard rows."""
    generator = torch.Generator().manual_seed(seed)
    return torch.exp(torch.randn(n, generator=generator) * 2.0 - 4.0)


def test_feed_forward_scale_hits_the_expected_keep_rate():
    scores = gradient_scores(skewed_losses())
    for target in (0.2, 0.5, 0.8):
        scale = math.exp(feed_forward_log_scale(scores, target, floor=0.1))
        expected = float(keep_probabilities(scores, scale, 0.1).mean())
        assert expected == pytest.approx(target, abs=1e-6)


def test_weighted_kept_rows_estimate_the_full_data_sum_without_bias():
    losses = skewed_losses()
    sampler = ImportanceSampler(ASTConfig(target_activation_rate=0.3), seed=1)
    estimates = []
    for _ in range(200):
        keep, weights = sampler.draw(losses)
        estimates.append(float((losses * weights)[keep].sum()))
    mean_estimate = sum(estimates) / len(estimates)
    assert mean_estimate == pytest.approx(float(losses.sum()), rel=0.01)


def test_hard_rows_are_always_kept_and_easy_rows_rarely():
    losses = skewed_losses()
    sampler = ImportanceSampler(ASTConfig(target_activation_rate=0.3), seed=2)
    keep, weights = sampler.draw(losses)
    hardest = losses > losses.quantile(0.9)
    easiest = losses < losses.quantile(0.1)
    assert keep[hardest].all() and (weights[hardest] == 1).all()
    assert keep[easiest].float().mean() < 0.2
    assert weights.max() <= 1 / 0.1 + 1e-4  # min_keep_probability bounds the weight


def test_rows_never_scored_are_kept_with_weight_one():
    losses = skewed_losses(1000)
    losses[:100] = math.nan
    keep, weights = ImportanceSampler(ASTConfig(target_activation_rate=0.3)).draw(losses)
    assert keep[:100].all() and (weights[:100] == 1).all()


def test_controller_keeps_the_achieved_rate_on_target_over_epochs():
    losses = skewed_losses(2000)
    sampler = ImportanceSampler(ASTConfig(target_activation_rate=0.4), seed=3)
    rates = []
    for _ in range(30):
        keep, _ = sampler.draw(losses)
        rates.append(float(keep.float().mean()))
        sampler.record(rates[-1])
    assert sum(rates) / len(rates) == pytest.approx(0.4, abs=0.01)


def test_random_control_keeps_every_row_with_the_target_probability_unweighted():
    config = ASTConfig(target_activation_rate=0.25, selection="random")
    keep, weights = ImportanceSampler(config, seed=4).draw(skewed_losses())
    assert float(keep.float().mean()) == pytest.approx(0.25, abs=0.01)
    assert torch.unique(weights).numel() == 1  # one weight: the batch mean is plain's


def test_last_epochs_anneal_to_every_row_and_phases_say_so(tmp_path, quiet):
    config = tiny_config(epochs=8, ast={"anneal_fraction": 0.25})
    summary = train(config, tmp_path, stream=quiet)
    metrics = read_metrics(tmp_path)
    assert [m["phase"] for m in metrics] == ["warmup"] + ["ast"] * 5 + ["anneal"] * 2
    activated = [m["samples_activated"] for m in metrics]
    per_epoch = [b - a for a, b in zip([0, *activated], activated, strict=False)]
    n = summary["train_samples"]
    assert per_epoch[0] == per_epoch[-1] == per_epoch[-2] == n
    assert all(0.3 * n < rows < 0.5 * n for rows in per_epoch[1:6])


def test_sampled_epochs_scale_the_learning_rate_and_full_epochs_restore_it(tmp_path, quiet):
    config = tiny_config(epochs=4, ast={"anneal_fraction": 0.25, "target_activation_rate": 0.25})
    trainer = Trainer(config, tmp_path, stream=quiet)
    rates = [trainer.optimizer.param_groups[0]["lr"] for _ in trainer.epochs()]
    base = config["learning_rate"]
    # Adam: the square-root rule for a batch standing for 1/0.25 = 4 times the rows.
    assert rates == pytest.approx([base, 2 * base, 2 * base, base])
    off = tiny_config(epochs=2, ast={"scale_learning_rate": False})
    trainer = Trainer(off, tmp_path / "off", stream=quiet)
    assert [trainer.optimizer.param_groups[0]["lr"] for _ in trainer.epochs()] == [base, base]


def test_skipped_work_is_priced_without_the_first_epochs_start_up_cost():
    ledger = EnergyLedger()
    # First epoch: 100 forward-equivalents, plus a start-up cost as large again.
    ledger.book_epoch(1.0, 1.0, 2.0, epoch=0, fe=100, steady=False)
    # Two sampled epochs at half the work, each at 1 kWh per 100 forward-equivalents.
    ledger.book_epoch(1.0, 1.0, 0.5, epoch=1, fe=50, steady=True)
    ledger.book_epoch(1.0, 1.0, 0.5, epoch=2, fe=50, steady=True)
    counters = WorkCounters(train_forwards=200, samples_seen=100)  # 200 of plain's 300 FE
    savings, method = ledger.energy_savings(counters, is_baseline=False)
    # Plain would have drawn 3 + 100 skipped FE x 0.01 = 4 kWh; this run drew 3.
    assert savings == pytest.approx(1 - 3 / 4)
    assert "after the first" in method


def test_fixed_per_epoch_costs_are_not_priced_as_skipped_work():
    ledger = EnergyLedger()
    ledger.book_epoch(1.0, 1.0, 5.0, epoch=0, fe=100, steady=False)  # start-up
    # Every epoch costs 0.1 kWh of fixed overhead plus 0.01 kWh per forward-equivalent, and
    # the machine slows down by a quarter before the last (full-data) epoch.
    for epoch, fe, slowdown in ((1, 50, 1.0), (2, 50, 1.0), (3, 50, 1.25), (4, 100, 1.25)):
        ledger.book_epoch(1.0, 1.0, (0.1 + 0.01 * fe) * slowdown, epoch=epoch, fe=fe, steady=True)
    counters = WorkCounters(train_forwards=350, samples_seen=500 // 3)
    price, how = ledger.price_per_fe()
    assert how == "marginal" and price == pytest.approx(0.0125)  # the slowed machine's
    skipped = counters.baseline_forward_equivalents - counters.forward_equivalents
    savings, method = ledger.energy_savings(counters, is_baseline=False)
    assert savings == pytest.approx(1 - ledger.train_kwh / (ledger.train_kwh + 0.0125 * skipped))
    assert "marginal" in method


@pytest.mark.parametrize("pack_selected", [True, False])
def test_a_sampled_batch_of_one_row_or_none_is_skipped_for_batchnorm_models(
    tmp_path, quiet, monkeypatch, pack_selected
):
    # Keep exactly one row of the sampled epoch: the packed epoch is then one batch of one
    # row, and every unpacked batch but one keeps nothing.
    def keep_one(self, stored_loss):
        keep = torch.zeros(len(stored_loss), dtype=torch.bool)
        keep[0] = True
        return keep, torch.ones(len(stored_loss))

    monkeypatch.setattr(ImportanceSampler, "draw", keep_one)
    config = tiny_config(epochs=2, ast={"anneal_fraction": 0.0, "pack_selected": pack_selected})
    trainer = Trainer(config, tmp_path, stream=quiet)
    trainer.mode_sensitive = True  # as a model with BatchNorm or dropout is
    summary = trainer.run()
    assert summary["status"] == "completed"
    assert summary["counters"]["samples_activated"] == summary["train_samples"]  # warmup only
    assert not math.isnan(summary["final_val_accuracy"])


def test_an_epoch_that_kept_no_row_still_counts_every_row_as_seen(tmp_path, quiet, monkeypatch):
    monkeypatch.setattr(
        ImportanceSampler,
        "draw",
        lambda self, stored_loss: (
            torch.zeros(len(stored_loss), dtype=torch.bool),
            torch.ones(len(stored_loss)),
        ),
    )
    summary = train(tiny_config(epochs=2, ast={"anneal_fraction": 0.0}), tmp_path, stream=quiet)
    n = summary["train_samples"]
    assert summary["counters"]["samples_seen"] == 2 * n
    assert summary["counters"]["samples_activated"] == n
    assert summary["activation_rate_after_warmup"] == 0.0
