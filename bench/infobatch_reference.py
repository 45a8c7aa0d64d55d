"""InfoBatch (Qin et al., ICLR 2024), written from the paper's description as a reference row.

- Scores are each sample's loss from its last training forward (no extra scoring pass);
  every score starts equal, so the first epoch trains on everything.
- Each epoch, a random ``prune_ratio`` of the samples whose score is below the mean score
  is left out; the kept below-mean samples' losses are multiplied by 1/(1 - prune_ratio),
  so the expected gradient is the full data's.
- From ``anneal_at`` x epochs on, every sample trains, unweighted.
- The epoch's kept samples train in full batches, in the engine's data order (seed- and
  epoch-seeded permutation, filtered), with the engine's model, initial weights and Adam.

Training time (validation left out) and forward-equivalents (3 per trained sample) are
counted as the engine counts them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from jobs.training.data import load_dataset, model_input, resize_images
from jobs.training.models import BUILTIN_MODELS, build_model

PRUNE_RATIO = 0.5
ANNEAL_AT = 0.875
INITIAL_SCORE = 3.0


@dataclass
class InfoBatchRun:
    seconds: float
    cpu_seconds: float
    trained_rows: int
    seen_rows: int
    curve: list[tuple[float, float, float]]  # (training wall s, training CPU s, val accuracy)


class InfoBatchTrainer:
    """One InfoBatch run; ``epochs()`` trains one epoch per step, ``result()`` sums up."""

    def __init__(
        self,
        dataset: str,
        model_name: str,
        image_size: int,
        epochs: int,
        batch: int,
        lr: float,
        seed: int,
    ) -> None:
        data = load_dataset(dataset, seed=seed, val_fraction=0.2, image_size=image_size)
        if model_name not in BUILTIN_MODELS:
            data = resize_images(data, image_size)
        self.data = data
        torch.manual_seed(seed)  # the engine's initial weights for this seed
        self.model = build_model(model_name, data.input_shape, data.num_classes)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=lr, fused=True)
        self.batch, self.seed, self.total_epochs = batch, seed, epochs
        self.scores = torch.full((len(data.y_train),), INITIAL_SCORE)
        self.pruning = torch.Generator().manual_seed(seed + 104729)
        self.curve: list[tuple[float, float, float]] = []
        self.seconds = self.cpu_seconds = 0.0
        self.trained = 0

    def epochs(self) -> Iterator[None]:
        n = len(self.data.y_train)
        x, y = model_input(self.data.x_train), self.data.y_train
        for epoch in range(self.total_epochs):
            started, cpu_started = time.perf_counter(), time.process_time()
            order = torch.randperm(
                n, generator=torch.Generator().manual_seed(self.seed * 1000 + epoch)
            )
            weights = torch.ones(n)
            if epoch < ANNEAL_AT * self.total_epochs:
                well_learned = self.scores < self.scores.mean()
                pruned = well_learned & (torch.rand(n, generator=self.pruning) < PRUNE_RATIO)
                weights[well_learned & ~pruned] = 1.0 / (1.0 - PRUNE_RATIO)
                order = order[~pruned[order]]
            self.model.train()
            for start in range(0, len(order), self.batch):
                idx = order[start : start + self.batch]
                if len(idx) < 2:  # BatchNorm cannot train on one row
                    continue
                self.optimizer.zero_grad(set_to_none=True)
                per_row = F.cross_entropy(self.model(x[idx]), y[idx], reduction="none")
                (per_row * weights[idx]).mean().backward()
                self.optimizer.step()
                self.scores[idx] = per_row.detach()
                self.trained += len(idx)
            self.seconds += time.perf_counter() - started
            self.cpu_seconds += time.process_time() - cpu_started
            accuracy = _accuracy(self.model, model_input(self.data.x_val), self.data.y_val)
            self.curve.append((self.seconds, self.cpu_seconds, accuracy))
            yield

    def result(self) -> InfoBatchRun:
        seen = len(self.data.y_train) * self.total_epochs
        return InfoBatchRun(self.seconds, self.cpu_seconds, self.trained, seen, self.curve)


def _accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.inference_mode():
        correct = sum(
            int((model(x[i : i + 1024]).argmax(1) == y[i : i + 1024]).sum())
            for i in range(0, len(y), 1024)
        )
    return correct / max(len(y), 1)
