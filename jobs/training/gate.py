"""Per-sample significance and the gate that decides which rows get a backward pass.

Significance combines the sample's loss and its prediction entropy. Both are standardised
*within the batch* (loss on a log scale, entropy as a fraction of log(num_classes)), so
``entropy_weight`` means the same thing on every data set and at every stage of training,
and the threshold lives in units of batch standard deviations instead of raw loss units.

Why this matters: the reference package compares a raw loss+entropy score with an absolute
threshold clamped to [0.5, 10]. Once the model fits, most raw scores fall below 0.5, the
clamp stops the controller, and the activation rate collapses to the 10 % fallback. On a
normalised score the threshold that yields a given rate barely moves during training, so
a PI controller can hold the target.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

import torch

from .config import ASTConfig

# The threshold is in standard deviations; nothing sensible lies outside this band, and
# clamping here is what the anti-windup protects against.
THRESHOLD_LIMIT = 4.0


def loss_and_entropy(logits: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Per-sample cross-entropy and prediction entropy (natural log), computed in float32."""
    logits = logits.float()
    log_probs = torch.log_softmax(logits, dim=1)
    loss = -log_probs.gather(1, targets.view(-1, 1)).squeeze(1)
    entropy = -(log_probs.exp() * log_probs).sum(dim=1)
    return loss, entropy


def _standardise(values: torch.Tensor) -> torch.Tensor:
    if values.numel() < 2:
        return torch.zeros_like(values)
    std = values.std(unbiased=False)
    return (values - values.mean()) / (std + 1e-6)


def significance(
    loss: torch.Tensor, entropy: torch.Tensor, entropy_weight: float, num_classes: int
) -> torch.Tensor:
    """Normalised significance score (mean 0, std 1 within the batch)."""
    # Log scale: per-sample losses span orders of magnitude once the model fits, and a
    # linear z-score would be dominated by a handful of outliers.
    z_loss = _standardise(torch.log(loss.float().clamp_min(1e-8)))
    z_entropy = _standardise(entropy.float() / math.log(max(num_classes, 2)))
    score = (1.0 - entropy_weight) * z_loss + entropy_weight * z_entropy
    return _standardise(score)


class SignificanceGate:
    """Chooses the rows of each batch that are trained on.

    ``threshold`` mode: rows whose score exceeds a threshold; a PI controller with
    conditional-integration anti-windup moves the threshold so the activation rate tracks
    the target. The controller starts from the normal quantile of the target (feed-forward),
    so it only has to correct for the score distribution's skew.
    ``topk`` mode: the exact target fraction of each batch, highest scores first.
    Both honour the ``min_activation`` floor. (``importance`` and ``random`` select a whole
    epoch at a time: ``sampling.py``.)
    """

    def __init__(self, config: ASTConfig, num_classes: int, seed: int = 0) -> None:
        self.config = config
        self.num_classes = num_classes
        target = min(max(config.target_activation_rate, 1e-4), 1 - 1e-4)
        self.feed_forward = NormalDist().inv_cdf(1.0 - target)
        self.integral = 0.0
        self.threshold = self.feed_forward
        self.generator = torch.Generator().manual_seed(seed)

    def _count(self, batch_size: int, fraction: float) -> int:
        floor = math.ceil(self.config.min_activation * batch_size)
        # Two rows at least: BatchNorm layers cannot train on a single row.
        return min(batch_size, max(round(fraction * batch_size), floor, 2))

    def select(self, loss: torch.Tensor, entropy: torch.Tensor, batch_size: int) -> torch.Tensor:
        """Boolean mask (on the CPU) of the rows to train on."""
        mode = self.config.selection
        target = self.config.target_activation_rate
        score = significance(
            loss.cpu(), entropy.cpu(), self.config.entropy_weight, self.num_classes
        )
        if mode == "topk":
            k = self._count(batch_size, target)
            top = torch.topk(score, k).indices
            mask = torch.zeros(batch_size, dtype=torch.bool)
            mask[top] = True
            self.threshold = float(score[top].min())
            return mask
        mask = score > self.threshold
        floor = self._count(batch_size, self.config.min_activation)
        if int(mask.sum()) < floor:
            mask = torch.zeros(batch_size, dtype=torch.bool)
            mask[torch.topk(score, floor).indices] = True
        self._update(float(mask.float().mean()))
        return mask

    def _update(self, rate: float) -> None:
        error = rate - self.config.target_activation_rate  # > 0: too many rows, raise it
        integral = self.integral + error
        proposal = self.feed_forward + self.config.kp * error + self.config.ki * integral
        if -THRESHOLD_LIMIT <= proposal <= THRESHOLD_LIMIT:
            self.integral = integral
            self.threshold = proposal
        else:
            # Saturated: keep the integral where it is so it cannot wind up.
            self.threshold = max(-THRESHOLD_LIMIT, min(THRESHOLD_LIMIT, proposal))

    def state_dict(self) -> dict[str, Any]:
        return {
            "integral": self.integral,
            "threshold": self.threshold,
            "generator": self.generator.get_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.integral = float(state["integral"])
        self.threshold = float(state["threshold"])
        self.generator.set_state(state["generator"])
