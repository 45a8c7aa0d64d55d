"""The trainer: one loop for AST and for plain training (the gate off).

Per batch, with the gate on: a selection forward under ``torch.inference_mode()`` scores
every row (skipped with stale scoring), the gate picks rows, and forward *and* backward run
only on those rows. That is where the saving comes from: the reference package instead ran
a second full forward and a masked backward over the whole batch.
"""

from __future__ import annotations

import contextlib
import math
import random
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import torch
import torch.nn.functional as F

from . import ENGINE_VERSION
from .accounting import EnergyLedger, EnergyMeter, WorkCounters, compute_savings
from .checkpoint import load_checkpoint, save_checkpoint
from .config import SAMPLED_MODES, TrainingConfig, load_config
from .data import load_dataset, model_input, resize_images
from .errors import ConfigError
from .gate import SignificanceGate, loss_and_entropy
from .models import BUILTIN_MODELS, build_model, fetch_pretrained_weights
from .outputs import (
    AST_CONFIG_FILE,
    CONFIG_FILE,
    PREPROCESSING_FILE,
    SUBMISSION_FILE,
    SUMMARY_FILE,
    MetricsWriter,
    save_weights,
    write_json,
    write_submission,
)
from .sampling import ImportanceSampler

EVAL_BATCH = 1024
DEVICE_DATA_LIMIT_BYTES = 2**30


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device {name!r} asked for but CUDA is not available")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


class Trainer:
    """Trains one model as configured and writes everything under ``out_dir``.

    ``stop_event``: set it (the CLI does on SIGTERM) and the trainer stops after the current
    batch, writes a summary with ``status: "terminated"`` and returns.
    """

    def __init__(
        self,
        config: TrainingConfig | dict[str, Any],
        out_dir: str | Path,
        *,
        baseline: bool = False,
        stream: TextIO | None = None,
        stop_event: threading.Event | None = None,
    ) -> None:
        self.config = load_config(config)
        cfg = self.config
        self.is_baseline = baseline or not cfg.ast.enabled
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.stop_event = stop_event or threading.Event()
        if cfg.num_threads:
            torch.set_num_threads(cfg.num_threads)
        self.device = resolve_device(cfg.device)
        self.use_amp = cfg.amp and self.device.type == "cuda"
        # float16 autocast with loss scaling on CUDA; tests drive the same code on the CPU
        # with bfloat16 (tests/training/test_amp_path.py).
        self.amp_dtype = torch.float16

        if cfg.pretrained:
            # Fetch the weights before reading the data: a run without internet fails in
            # seconds, not after loading 126,000 ImageNet-100 photos.
            fetch_pretrained_weights(cfg.model)
        seed_everything(cfg.seed)
        self.data = load_dataset(
            cfg.dataset,
            seed=cfg.seed,
            val_fraction=cfg.val_fraction,
            max_samples=cfg.max_samples,
            num_classes=cfg.num_classes,
            image_size=cfg.image_size,
        )
        if cfg.model not in BUILTIN_MODELS:
            # torchvision and timm models are ImageNet designs that downsample an image
            # 32-fold: 8x8 digits would vanish, so their images train at image_size. mlp
            # and cnn are sized for the native shape and keep it.
            self.data = resize_images(self.data, cfg.image_size)
        # Re-seed so the initial weights do not depend on how much randomness loading used.
        torch.manual_seed(cfg.seed)
        self.model = build_model(
            cfg.model, self.data.input_shape, self.data.num_classes, cfg.pretrained
        ).to(self.device)
        self.optimizer = self._make_optimizer()
        self.mode_sensitive = _has_mode_dependent_layers(self.model)
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.use_amp)
        self.gate = SignificanceGate(cfg.ast, self.data.num_classes, seed=cfg.seed)
        self.sampler = ImportanceSampler(cfg.ast, seed=cfg.seed)
        self.counters = WorkCounters()
        self.ledger = EnergyLedger()
        self.meter = EnergyMeter(self.device, cfg.device_power_watts)
        self.writer = MetricsWriter(self.out_dir, stream)
        n = len(self.data.y_train)
        # Last known per-sample loss and entropy, for stale scoring (NaN: never scored).
        self.stored_loss = torch.full((n,), math.nan)
        self.stored_entropy = torch.full((n,), math.nan)
        self.epochs_done = 0
        self.step = 0
        self.wall_before = 0.0
        self.after_warmup = [0, 0]  # samples seen, activated once the gate is on
        self.val_history: list[float] = []
        self.summary: dict[str, Any] | None = None
        # Small data sets live on the device (no per-batch copies); large ones stay in host
        # memory and go over batch by batch.
        x_train = self.data.x_train
        on_device = x_train.numel() * x_train.element_size() <= DEVICE_DATA_LIMIT_BYTES
        data_device = self.device if on_device else torch.device("cpu")
        self.train_x = self.data.x_train.to(data_device)
        self.train_y = self.data.y_train.to(data_device)

    # -- set-up -------------------------------------------------------------------------

    def _make_optimizer(self) -> torch.optim.Optimizer:
        cfg = self.config
        params = list(self.model.parameters())
        kwargs: dict[str, Any] = {"lr": cfg.learning_rate, "weight_decay": cfg.weight_decay}
        if cfg.optimizer == "sgd":
            cls: type[torch.optim.Optimizer] = torch.optim.SGD
            kwargs["momentum"] = 0.9
        else:
            cls = torch.optim.AdamW if cfg.optimizer == "adamw" else torch.optim.Adam
        # The fused kernels cut the per-step optimizer cost about 3x on small models, where
        # it is a fixed cost per step that sparse steps cannot shrink. Older torch builds
        # (remote runs) may lack them for this device: fall back to the default kernels.
        try:
            return cls(params, fused=True, **kwargs)
        except (RuntimeError, TypeError, ValueError):
            return cls(params, **kwargs)

    def _autocast(self) -> contextlib.AbstractContextManager[Any]:
        if self.use_amp:
            return torch.autocast(device_type=self.device.type, dtype=self.amp_dtype)
        return contextlib.nullcontext()

    # -- checkpoints --------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        return {
            "config_sha256": self.config.sha256(),
            "baseline": self.is_baseline,
            "epochs_done": self.epochs_done,
            "step": self.step,
            "wall_seconds": self.wall_before + (time.perf_counter() - self._started),
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scaler": self.scaler.state_dict(),
            "gate": self.gate.state_dict(),
            "sampler": self.sampler.state_dict(),
            "counters": self.counters.to_dict(),
            "ledger": self.ledger.state_dict(),
            "after_warmup": list(self.after_warmup),
            "val_history": list(self.val_history),
            "stored_loss": self.stored_loss,
            "stored_entropy": self.stored_entropy,
        }

    def _resume(self) -> None:
        state = load_checkpoint(self.out_dir, self.config.sha256())
        if state is None:
            return
        if bool(state["baseline"]) != self.is_baseline:
            raise ConfigError("the checkpoint in the output folder is of the other mode")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scaler.load_state_dict(state["scaler"])
        self.gate.load_state_dict(state["gate"])
        self.sampler.load_state_dict(state["sampler"])
        self.counters = WorkCounters(**state["counters"])
        self.ledger.load_state_dict(state["ledger"])
        self.after_warmup = list(state["after_warmup"])
        self.val_history = list(state["val_history"])
        self.stored_loss = state["stored_loss"]
        self.stored_entropy = state["stored_entropy"]
        self.epochs_done = int(state["epochs_done"])
        self.step = int(state["step"])
        self.wall_before = float(state["wall_seconds"])

    # -- training -----------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        """Train (resuming from the last checkpoint if any) and return the summary."""
        for _ in self.epochs():
            pass
        assert self.summary is not None
        return self.summary

    def epochs(self) -> Iterator[dict[str, Any]]:
        """Train epoch by epoch, yielding each epoch's metric line; ``summary`` is set (and
        written) once the generator is exhausted. The benchmark interleaves several runs'
        epochs this way, so a slow spell on a shared machine hits all of them alike."""
        cfg = self.config
        self._started = time.perf_counter()
        self._resume()
        self._first_epoch = self.epochs_done
        self.writer.truncate_after(self.epochs_done)
        write_json(self.out_dir / CONFIG_FILE, cfg.to_dict())
        write_json(self.out_dir / AST_CONFIG_FILE, self._ast_config())
        status = "completed"
        epochs_this_session = 0
        try:
            for epoch in range(self.epochs_done, cfg.epochs):
                result = self._train_epoch(epoch)
                if result is None:
                    status = "terminated"
                    break
                train_loss, rate = result
                self.meter.start()
                val_accuracy = self.evaluate()
                self.ledger.eval_kwh += self.meter.stop()[2]
                self.val_history.append(val_accuracy)
                self.epochs_done = epoch + 1
                epochs_this_session += 1
                metric = self._metric(train_loss, val_accuracy, rate, epochs_this_session)
                self.writer.emit(metric)
                if cfg.checkpoint:
                    save_checkpoint(self.out_dir, self._state())
                if self.stop_event.is_set():
                    status = "terminated" if self.epochs_done < cfg.epochs else status
                    break
                yield metric
        finally:
            self.meter.close()
        self.summary = self._finish(status)

    def _stale_refresh(self, epoch: int) -> bool:
        """Stale scoring re-scores every row with a selection pass every N gated epochs."""
        gated = epoch - self.config.ast.warmup_epochs
        return (gated + 1) % self.config.ast.stale_refresh_every == 0

    def _train_epoch(self, epoch: int) -> tuple[float, float] | None:
        cfg, ast = self.config, self.config.ast
        gated = not self.is_baseline and ast.gates(epoch, cfg.epochs)
        # importance and random draw the whole epoch's rows up front (sampling.py);
        # threshold and topk gate each batch (gate.py).
        importance = not self.is_baseline and ast.selection in SAMPLED_MODES
        batch_gated = gated and not importance
        stale = ast.scoring == "stale" and batch_gated
        self._record = importance or (ast.scoring == "stale" and not self.is_baseline)
        self._record_entropy = self._record and not importance
        self._set_learning_rate(gated and importance)
        refresh = stale and self._stale_refresh(epoch)
        n = len(self.train_y)
        # Data order depends only on seed and epoch: identical for every method, and
        # identical after a resume.
        order = torch.randperm(n, generator=torch.Generator().manual_seed(cfg.seed * 1000 + epoch))
        weights: torch.Tensor | None = None
        keep: torch.Tensor | None = None
        self.meter.start()  # the draw is part of the training cost
        if gated and importance:
            keep, weights = self.sampler.draw(self.stored_loss)
            if ast.pack_selected:
                # Drawn up front and trained in full batches: steps keep plain training's
                # shape, and there are fewer of them.
                order, keep = order[keep[order]], None
        fe_before = self.counters.forward_equivalents
        self._loss_sum = torch.zeros((), device=self.device)
        trained_before = self.counters.samples_activated
        seen = 0
        pack = batch_gated and ast.pack_selected
        pending: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []
        pending_rows = 0
        for start in range(0, len(order), cfg.batch_size):
            if self.stop_event.is_set():
                self._book_training(fe_before, epoch, *self.meter.stop())
                return None
            idx = order[start : start + cfg.batch_size]
            rows_at = idx.to(self.train_x.device)
            x = model_input(self.train_x[rows_at].to(self.device, non_blocking=True))
            y = self.train_y[rows_at].to(self.device, non_blocking=True)
            # Rows this batch stands for: with up-front sampling, the kept rows stand for
            # all n in proportion, so a stopped epoch books only the part it covered.
            covered = (start + len(idx)) * n // len(order) - start * n // len(order)
            if batch_gated or keep is not None:
                if keep is not None:
                    rows = keep[idx]
                else:
                    rows = self._select(idx, x, y, stale and not refresh, self._record)
                x, y, idx = x[rows.to(self.device)], y[rows.to(self.device)], idx[rows]
            if gated:
                self.after_warmup[0] += covered
                self.after_warmup[1] += len(idx)
            self.counters.samples_seen += covered
            seen += covered
            if not pack:
                if self._trainable(len(idx)):
                    batch_weights = None if weights is None else weights[idx].to(self.device)
                    self._optimise(x, y, idx, batch_weights)
                continue
            # Packing: selected rows wait until they fill a whole batch, so each sparse step
            # runs at full-batch efficiency (small batches pay the per-step overhead of the
            # optimizer and kernel launches for few rows).
            pending.append((x, y, idx))
            pending_rows += len(idx)
            while pending_rows >= cfg.batch_size:
                px, py, pidx = (torch.cat(parts) for parts in zip(*pending, strict=True))
                b = cfg.batch_size
                self._optimise(px[:b], py[:b], pidx[:b])
                pending = [(px[b:], py[b:], pidx[b:])] if pending_rows > b else []
                pending_rows -= b
        if self._trainable(pending_rows):
            px, py, pidx = (torch.cat(parts) for parts in zip(*pending, strict=True))
            self._optimise(px, py, pidx)
        if len(order) == 0:  # a draw that kept nothing still saw every row
            self.counters.samples_seen += n
            self.after_warmup[0] += n
            seen = n
        trained = self.counters.samples_activated - trained_before
        loss_sum = self._loss_sum
        self._book_training(fe_before, epoch, *self.meter.stop())
        if gated and importance:
            self.sampler.record(trained / max(n, 1))
        return float(loss_sum) / max(trained, 1), trained / max(seen, 1)

    def _trainable(self, rows: int) -> bool:
        """Whether a step on this many rows can run. A sampled epoch's last batch (or an
        unpacked batch that kept nothing) may hold no row, or one, and a single row cannot
        train a model with BatchNorm: such a batch is skipped, and not counted as trained,
        rather than crash the run."""
        return rows >= 2 or (rows == 1 and not self.mode_sensitive)

    def _set_learning_rate(self, sampled: bool) -> None:
        """Plain rate, or the rate scaled for a packed importance-sampled epoch.

        A packed batch's weighted gradient estimates the mean over the 1/target times as
        many rows it was drawn from: it is a larger batch, and the scaling rules for a
        larger batch apply (square root for Adam and AdamW, linear for SGD). Without it the
        run takes ``target`` times the steps at the old step size and falls behind.
        """
        cfg, ast = self.config, self.config.ast
        factor = 1.0
        if sampled and ast.pack_selected and ast.scale_learning_rate:
            power = 1.0 if cfg.optimizer == "sgd" else 0.5
            factor = (1.0 / ast.target_activation_rate) ** power
        for group in self.optimizer.param_groups:
            group["lr"] = cfg.learning_rate * factor

    def _book_training(
        self, fe_before: int, epoch: int, seconds: float, cpu_seconds: float, kwh: float
    ) -> None:
        # The first epoch of a session carries the start-up costs: it is not used to price
        # the work AST skipped (accounting.EnergyLedger says why).
        self.ledger.book_epoch(
            seconds,
            cpu_seconds,
            kwh,
            epoch=epoch,
            fe=self.counters.forward_equivalents - fe_before,
            steady=epoch > self._first_epoch,
        )

    def _optimise(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        idx: torch.Tensor,
        weights: torch.Tensor | None = None,
    ) -> None:
        """One optimizer step on exactly these rows: the only forward that builds a graph.

        ``weights`` (importance sampling): each row's loss counts 1/keep-probability times.
        The weighted *mean* keeps the gradient's scale that of plain training, so the
        learning rate means the same in both.
        """
        if self.mode_sensitive or not self.model.training:
            self.model.train()
        self.optimizer.zero_grad(set_to_none=True)
        with self._autocast():
            logits = self.model(x)
        per_row = F.cross_entropy(logits.float(), y, reduction="none")
        loss = per_row.mean() if weights is None else (per_row * weights).sum() / weights.sum()
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimizer)
        self.scaler.update()
        if self._record:
            # The training forward scored these rows for free (before this step).
            self.stored_loss[idx] = per_row.detach().to(self.stored_loss.device)
            if self._record_entropy:
                _, entropy_i = loss_and_entropy(logits.detach(), y)
                self.stored_entropy[idx] = entropy_i.cpu()
        k = len(y)
        self._loss_sum += per_row.detach().sum()
        self.counters.train_forwards += k
        self.counters.backwards += k
        self.counters.samples_activated += k
        self.step += 1

    def _select(
        self, idx: torch.Tensor, x: torch.Tensor, y: torch.Tensor, use_stored: bool, record: bool
    ) -> torch.Tensor:
        """Boolean mask (CPU) of the batch rows to train on."""
        batch = len(idx)
        if use_stored and not torch.isnan(self.stored_loss[idx]).any():
            return self.gate.select(self.stored_loss[idx], self.stored_entropy[idx], batch)
        # Eval mode: scoring must not update BatchNorm statistics or draw dropout masks.
        # (Switching costs a module-tree walk per batch, so only models that care pay it.)
        if self.mode_sensitive:
            self.model.eval()
        with torch.inference_mode(), self._autocast():
            logits = self.model(x)
        loss_i, entropy_i = loss_and_entropy(logits, y)
        self.counters.selection_forwards += batch
        if record:
            self.stored_loss[idx] = loss_i.cpu()
            self.stored_entropy[idx] = entropy_i.cpu()
        return self.gate.select(loss_i, entropy_i, batch)

    def evaluate(self) -> float:
        """Validation accuracy as a fraction in [0, 1]."""
        self.model.eval()
        correct = 0
        with torch.inference_mode(), self._autocast():
            for start in range(0, len(self.data.y_val), EVAL_BATCH):
                x = model_input(self.data.x_val[start : start + EVAL_BATCH].to(self.device))
                y = self.data.y_val[start : start + EVAL_BATCH].to(self.device)
                correct += int((self.model(x).argmax(dim=1) == y).sum())
        return correct / max(len(self.data.y_val), 1)

    # -- reporting ----------------------------------------------------------------------

    def _wall(self) -> float:
        return self.wall_before + (time.perf_counter() - self._started)

    def _metric(
        self, train_loss: float, val_accuracy: float, rate: float, epochs_this_session: int
    ) -> dict[str, Any]:
        cfg = self.config
        wall = self._wall()
        per_epoch = (time.perf_counter() - self._started) / epochs_this_session
        energy_savings, _ = self.ledger.energy_savings(self.counters, self.is_baseline)
        return {
            "epoch": self.epochs_done,
            "epochs": cfg.epochs,
            "step": self.step,
            "train_loss": train_loss,
            "val_accuracy": val_accuracy,
            "activation_rate": rate,
            "threshold": self._threshold(),
            "compute_savings": compute_savings(self.counters),
            "energy_savings": energy_savings,
            "energy_kwh": self.ledger.total_kwh,
            "samples_seen": self.counters.samples_seen,
            "samples_activated": self.counters.samples_activated,
            "wall_seconds": wall,
            "train_seconds": self.ledger.train_seconds,
            "train_cpu_seconds": self.ledger.train_cpu_seconds,
            "eta_seconds": per_epoch * (cfg.epochs - self.epochs_done),
            "phase": self._phase(self.epochs_done - 1),
            "energy_source": self.meter.source,
            "forward_equivalents": self.counters.forward_equivalents,
            "baseline_forward_equivalents": self.counters.baseline_forward_equivalents,
        }

    def _threshold(self) -> float:
        if self.is_baseline:
            return 0.0
        if self.config.ast.selection in SAMPLED_MODES:
            return self.sampler.threshold
        return self.gate.threshold

    def _phase(self, epoch: int) -> str:
        """baseline; or warmup, ast, anneal (full data again at the end) for an AST run."""
        ast, epochs = self.config.ast, self.config.epochs
        if self.is_baseline:
            return "baseline"
        if epoch < ast.warmup_epochs:
            return "warmup"
        return "ast" if ast.gates(epoch, epochs) else "anneal"

    def _ast_config(self) -> dict[str, Any]:
        out = self.config.to_dict()["ast"]
        out["enabled"] = not self.is_baseline
        return out

    def _finish(self, status: str) -> dict[str, Any]:
        cfg = self.config
        weights = save_weights(self.model, self.out_dir)
        if self.data.preprocessing is not None:
            write_json(self.out_dir / PREPROCESSING_FILE, self.data.preprocessing.to_dict())
        # Only the model that trained every epoch predicts the competition's test rows.
        submission = self._write_submission() if status == "completed" else None
        energy_savings, energy_method = self.ledger.energy_savings(self.counters, self.is_baseline)
        seen, activated = self.after_warmup
        summary = {
            "engine_version": ENGINE_VERSION,
            "status": status,
            "mode": "baseline" if self.is_baseline else "ast",
            "dataset": cfg.dataset,
            "model": cfg.model,
            "device": str(self.device),
            "amp": self.use_amp,
            "epochs": cfg.epochs,
            "epochs_completed": self.epochs_done,
            "steps": self.step,
            "num_parameters": sum(p.numel() for p in self.model.parameters()),
            "train_samples": len(self.data.y_train),
            "val_samples": len(self.data.y_val),
            "num_classes": self.data.num_classes,
            "input_shape": list(self.data.input_shape),
            "classes": self.data.classes,
            "submission": submission,
            "final_val_accuracy": self.val_history[-1] if self.val_history else None,
            "best_val_accuracy": max(self.val_history) if self.val_history else None,
            "target_activation_rate": None if self.is_baseline else cfg.ast.target_activation_rate,
            "activation_rate_after_warmup": activated / seen if seen else None,
            "activation_rate_overall": (
                self.counters.samples_activated / self.counters.samples_seen
                if self.counters.samples_seen
                else None
            ),
            "compute_savings": compute_savings(self.counters),
            "forward_equivalents": self.counters.forward_equivalents,
            "baseline_forward_equivalents": self.counters.baseline_forward_equivalents,
            "counters": self.counters.to_dict(),
            "energy_kwh": self.ledger.total_kwh,
            "train_energy_kwh": self.ledger.train_kwh,
            "energy_source": self.meter.source,
            "energy_savings": energy_savings,
            "energy_method": energy_method,
            "power_watts_assumed": (
                self.meter.power_watts if self.meter.source == "estimated" else None
            ),
            "energy_estimate_basis": (
                self.meter.estimate_basis if self.meter.source == "estimated" else None
            ),
            "train_seconds": self.ledger.train_seconds,
            "train_cpu_seconds": self.ledger.train_cpu_seconds,
            "wall_seconds": self._wall(),
            "weights_file": weights,
            "config_sha256": cfg.sha256(),
            "torch_version": torch.__version__,
        }
        write_json(self.out_dir / SUMMARY_FILE, summary)
        return summary

    def _write_submission(self) -> dict[str, Any] | None:
        """Predict every test row with the final model and write submission.csv."""
        plan, x_test = self.data.submission, self.data.x_test
        if plan is None or x_test is None:
            return None
        probabilities = self.predict_probabilities(x_test, len(plan.classes))
        rows = write_submission(self.out_dir, plan, probabilities)
        values = "labels" if plan.writes_labels else "probabilities"
        self.writer.note(f"{SUBMISSION_FILE} written: {rows} rows of {values}")
        return {"file": SUBMISSION_FILE, "rows": rows, "values": values}

    def predict_probabilities(self, x: torch.Tensor, num_classes: int) -> np.ndarray:
        """Class probabilities (rows x ``num_classes``) of inputs prepared like x_val.

        Only the first ``num_classes`` outputs count: a model built for more classes
        than the data names (``num_classes`` in the config) has outputs nobody can name.
        """
        self.model.eval()
        parts = []
        with torch.inference_mode(), self._autocast():
            for start in range(0, len(x), EVAL_BATCH):
                logits = self.model(model_input(x[start : start + EVAL_BATCH].to(self.device)))
                kept = logits[:, :num_classes].float().cpu().double()
                parts.append(torch.softmax(kept, dim=1))
        return torch.cat(parts).numpy()


def _has_mode_dependent_layers(model: torch.nn.Module) -> bool:
    """Whether train() and eval() change what the model computes (norms, dropout)."""
    kinds = (
        torch.nn.modules.batchnorm._BatchNorm,
        torch.nn.modules.instancenorm._InstanceNorm,
        torch.nn.modules.dropout._DropoutNd,
    )
    return any(isinstance(m, kinds) or "Drop" in type(m).__name__ for m in model.modules())


def train(
    config: TrainingConfig | dict[str, Any],
    out_dir: str | Path,
    *,
    baseline: bool = False,
    stream: TextIO | None = None,
    stop_event: threading.Event | None = None,
) -> dict[str, Any]:
    """Train as configured; returns the summary (also written to ``summary.json``)."""
    trainer = Trainer(config, out_dir, baseline=baseline, stream=stream, stop_event=stop_event)
    return trainer.run()
