"""Unbiased importance sampling of the rows one epoch trains on (``selection: importance``;
``random`` draws the same way with one probability for every row, as its control).

Each row's *score* is ``1 - p(true class)`` from its last training forward: the size of the
cross-entropy gradient at the logits, so it says how much the row would move the weights.
A row is kept with probability ``clamp(score / c, min_keep_probability, 1)``, and a kept
row's loss is weighted by ``1 / probability``. The weighted loss is then an unbiased
estimate of the full data's, so selection changes which rows pay for a backward pass but not
where training goes; rows the model already fits (tiny score, tiny gradient) are the ones
skipped, which is where skipping costs least. (Selection without the weights, as the
``threshold`` mode does, trains on a distribution tilted towards hard rows, and that tilt is
what cost the old default 1.5-1.8 accuracy points.)

``c`` is set each epoch in two parts, as the threshold gate's PI controller does:
- feed-forward: the ``c`` whose *expected* keep rate over the current scores equals the
  target, found by bisection (the expected rate falls monotonically as ``c`` grows);
- a PI correction on the *achieved* rate: ``log c`` moves by ``kp * error + ki * sum of
  errors``, so the run's activation rate stays on the target even though each epoch's draw
  is random.

Rows never scored (no forward yet) are kept, and scored by that forward. Scores are stale by
design: a skipped row keeps the score it had when last trained, as in InfoBatch, so
selection costs no extra forward pass.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .config import ASTConfig

# 40 halvings of a width-60 band: log c to within 1e-10, for about 1 ms per epoch.
BISECTION_STEPS = 40
# log c is kept within this band; beyond it every row is kept (or only the floor is).
LOG_SCALE_LIMIT = 30.0


def gradient_scores(stored_loss: torch.Tensor) -> torch.Tensor:
    """``1 - p(true class)`` per row from its stored loss; NaN where never scored."""
    return -torch.expm1(-stored_loss.float())


def keep_probabilities(scores: torch.Tensor, scale: float, floor: float) -> torch.Tensor:
    """Per-row keep probability for scale ``c`` (unscored rows: 1)."""
    probabilities = (scores / scale).clamp(min=floor, max=1.0)
    return torch.where(torch.isnan(scores), torch.ones_like(probabilities), probabilities)


def feed_forward_log_scale(scores: torch.Tensor, target: float, floor: float) -> float:
    """``log c`` whose expected keep rate over ``scores`` is ``target`` (bisection).

    Unscored rows are kept whatever ``c`` is; the rest are bisected on alone.
    """
    known = scores[~torch.isnan(scores)]
    n, unscored = len(scores), len(scores) - len(known)
    low, high = -LOG_SCALE_LIMIT, LOG_SCALE_LIMIT  # rate(low) ~ 1, rate(high) ~ floor
    for _ in range(BISECTION_STEPS):
        middle = (low + high) / 2
        kept = float((known / math.exp(middle)).clamp_(min=floor, max=1.0).sum())
        if (kept + unscored) / max(n, 1) > target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


class ImportanceSampler:
    """Draws each gated epoch's rows and their weights; holds the PI controller's state."""

    def __init__(self, config: ASTConfig, seed: int = 0) -> None:
        self.config = config
        self.integral = 0.0
        self.last_error = 0.0
        self.log_scale = math.nan
        # Its own stream, so the draw does not shift the data order or dropout masks.
        self.generator = torch.Generator().manual_seed(seed + 7919)

    def draw(self, stored_loss: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """A boolean mask of the rows to train on this epoch and every row's loss weight."""
        cfg = self.config
        if cfg.selection == "random":
            # The control: the same draw, batches and schedule, with no scores at all.
            probabilities = torch.full(stored_loss.shape, cfg.target_activation_rate)
            keep = torch.rand(len(probabilities), generator=self.generator) < probabilities
            return keep, 1.0 / probabilities
        scores = gradient_scores(stored_loss)
        floor = cfg.min_keep_probability
        feed_forward = feed_forward_log_scale(scores, cfg.target_activation_rate, floor)
        correction = cfg.kp * self.last_error + cfg.ki * self.integral
        self.log_scale = max(-LOG_SCALE_LIMIT, min(LOG_SCALE_LIMIT, feed_forward + correction))
        probabilities = keep_probabilities(scores, math.exp(self.log_scale), floor)
        keep = torch.rand(len(scores), generator=self.generator) < probabilities
        return keep, 1.0 / probabilities

    def record(self, rate: float) -> None:
        """Feed back the epoch's achieved rate (> target: too many rows, so raise ``c``)."""
        self.last_error = rate - self.config.target_activation_rate
        self.integral += self.last_error

    @property
    def threshold(self) -> float:
        """The scale ``c``: rows scoring at least this are always kept (0 before the first
        draw)."""
        return 0.0 if math.isnan(self.log_scale) else math.exp(self.log_scale)

    def state_dict(self) -> dict[str, Any]:
        return {
            "integral": self.integral,
            "last_error": self.last_error,
            "log_scale": self.log_scale,
            "generator": self.generator.get_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.integral = float(state["integral"])
        self.last_error = float(state["last_error"])
        self.log_scale = float(state["log_scale"])
        self.generator.set_state(state["generator"])
