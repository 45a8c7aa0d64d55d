"""Benchmark of the AST engine against plain training, a random subset and the reference.

    python bench/engine.py                      # MNIST-1D, cnn, 3 seeds (the headline)
    python bench/engine.py --seeds 5 --epochs 40 --dataset digits --model mlp

Every method sees the same seeds, epochs, model, initial weights and data order (the
engine's order: a permutation seeded by seed and epoch; the reference trainer is fed the
same batches). Methods run interleaved seed by seed, so a slow spell on a shared machine
hits all of them; the table shows the median over seeds.

The reference package is imported from ``--reference-path`` (default /tmp/astref), where
it can be installed without its CUDA dependencies:

    python -m pip install --target /tmp/astref --no-deps adaptive-sparse-training==1.0.1 tqdm

Columns: training wall seconds (validation excluded) and the ratio to plain training;
forward-equivalents per sample per epoch (backward = 2; plain = 3.00); achieved activation
after warmup; final validation accuracy; wall seconds until validation accuracy first
reaches plain training's final accuracy minus 1 point (same seed).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from jobs.training import train  # noqa: E402
from jobs.training.data import load_dataset  # noqa: E402
from jobs.training.models import build_model  # noqa: E402


@dataclass
class Run:
    seconds: float
    cpu_seconds: float
    fe_per_sample: float
    activation: float | None
    accuracy: float
    curve: list[tuple[float, float, float]]  # (training wall s, training CPU s, val accuracy)
    extra: dict[str, Any] = field(default_factory=dict)


def engine_methods() -> dict[str, tuple[dict[str, Any], bool]]:
    """Method name -> (ast settings, baseline flag)."""
    return {
        "plain": ({}, True),
        "ast threshold 0.40": ({"target_activation_rate": 0.40}, False),
        "ast threshold 0.20": ({"target_activation_rate": 0.20}, False),
        "ast topk 0.40": ({"target_activation_rate": 0.40, "selection": "topk"}, False),
        "ast topk 0.20": ({"target_activation_rate": 0.20, "selection": "topk"}, False),
        "ast stale 0.40": ({"target_activation_rate": 0.40, "scoring": "stale"}, False),
        "random subset 0.40": ({"target_activation_rate": 0.40, "selection": "random"}, False),
        "ast threshold 0.40 unpacked": (
            {"target_activation_rate": 0.40, "pack_selected": False},
            False,
        ),
    }


def run_engine(args: argparse.Namespace, seed: int, ast: dict[str, Any], baseline: bool) -> Run:
    config = {
        "dataset": args.dataset,
        "model": args.model,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.lr,
        "seed": seed,
        "num_threads": args.threads,
        "device": "cpu",
        "checkpoint": False,
        "ast": {"warmup_epochs": args.warmup, **ast},
    }
    with tempfile.TemporaryDirectory() as out:
        summary = train(config, out, baseline=baseline, stream=io.StringIO())
        lines = (Path(out) / "metrics.jsonl").read_text().splitlines()
    metrics = [json.loads(line) for line in lines]
    return Run(
        seconds=summary["train_seconds"],
        cpu_seconds=summary["train_cpu_seconds"],
        fe_per_sample=summary["forward_equivalents"] / summary["counters"]["samples_seen"],
        activation=summary["activation_rate_after_warmup"],
        accuracy=summary["final_val_accuracy"],
        curve=[(m["train_seconds"], m["train_cpu_seconds"], m["val_accuracy"]) for m in metrics],
        extra={"energy_savings": summary["energy_savings"]},
    )


class _SameOrderLoader:
    """Yields the engine's batches (seed- and epoch-seeded permutation) to the reference."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch: int, seed: int) -> None:
        self.x, self.y, self.batch, self.seed, self.epoch = x, y, batch, seed, 0

    def __len__(self) -> int:
        return math.ceil(len(self.y) / self.batch)

    def __iter__(self):  # noqa: ANN204
        gen = torch.Generator().manual_seed(self.seed * 1000 + self.epoch)
        order = torch.randperm(len(self.y), generator=gen)
        self.epoch += 1
        for start in range(0, len(order), self.batch):
            idx = order[start : start + self.batch]
            yield self.x[idx], self.y[idx]


def import_reference(path: str) -> Any:
    if path and os.path.isdir(path) and path not in sys.path:
        sys.path.append(path)
    try:
        import adaptive_sparse_training
    except ImportError:
        return None
    return adaptive_sparse_training


def run_reference(args: argparse.Namespace, seed: int, package: Any) -> Run:
    """The package's own AdaptiveSparseTrainer, epoch by epoch as its train() does it."""
    data = load_dataset(args.dataset, seed=seed, val_fraction=0.2)
    torch.manual_seed(seed)  # the same initial weights as the engine's run
    model = build_model(args.model, data.input_shape, data.num_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, fused=True)
    loader = _SameOrderLoader(data.x_train, data.y_train, args.batch_size, seed)
    val = [(data.x_val, data.y_val)]
    config = package.ASTConfig(target_activation_rate=0.40, device="cpu", use_amp=False)
    trainer = package.AdaptiveSparseTrainer(model, loader, val, config, optimizer=optimizer)

    # Count rows honestly with hooks: every training-mode forward (its selection forward
    # runs in train mode too) and the rows that the backward pass goes through.
    rows = {"forward": 0, "backward": 0}
    model.register_forward_hook(
        lambda m, i, o: rows.__setitem__("forward", rows["forward"] + o.shape[0] * m.training)
    )
    model.register_full_backward_hook(
        lambda m, gi, go: rows.__setitem__("backward", rows["backward"] + go[0].shape[0])
    )
    curve, rates, claimed, seconds, cpu_seconds = [], [], None, 0.0, 0.0
    devnull = open(os.devnull, "w")  # noqa: SIM115  (its tqdm bars and prints)
    saved = sys.stdout, sys.stderr
    try:
        sys.stdout = sys.stderr = devnull
        for epoch in range(1, args.epochs + 1):
            if epoch <= args.warmup:  # what its train(warmup_epochs=...) does
                original = trainer.sundew.target_activation_rate
                trainer.sundew.target_activation_rate = 1.0
                trainer.sundew.activation_threshold = 0.0
            started, cpu_started = time.perf_counter(), time.process_time()
            stats = trainer.train_epoch(epoch)
            seconds += time.perf_counter() - started
            cpu_seconds += time.process_time() - cpu_started
            if epoch == args.warmup:
                trainer.sundew.target_activation_rate = original
                trainer.sundew.activation_threshold = config.initial_threshold
            if epoch > args.warmup:
                rates.append(stats["activation_rate"])
            claimed = stats["energy_savings"]
            curve.append((seconds, cpu_seconds, trainer.evaluate() / 100.0))
    finally:
        sys.stdout, sys.stderr = saved
        devnull.close()
    seen = len(data.y_train) * args.epochs
    return Run(
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        fe_per_sample=(rows["forward"] + 2 * rows["backward"]) / seen,
        activation=statistics.mean(rates) if rates else None,
        accuracy=curve[-1][2],
        curve=curve,
        extra={"claimed_energy_savings_percent": claimed},
    )


def time_to(curve: list[tuple[float, float, float]], target: float, column: int) -> float:
    return next((point[column] for point in curve if point[2] >= target), math.inf)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default="mnist1d")
    parser.add_argument("--model", default="cnn")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--reference-path", default="/tmp/astref")
    parser.add_argument("--json", help="also write the raw per-seed results here")
    parser.add_argument(
        "--only", help="comma-separated substrings: run only matching methods (plus plain)"
    )
    args = parser.parse_args(argv)

    # Fixed thread count and no denormal slow paths: timings must compare like with like.
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    package = import_reference(args.reference_path)
    methods = list(engine_methods())
    if package is None:
        print(
            f"note: adaptive_sparse_training not importable from {args.reference_path!r} "
            "or sys.path; skipping the reference row"
        )
    else:
        methods.append("reference AdaptiveSparseTrainer 0.40")

    if args.only:
        wanted = [w.strip() for w in args.only.split(",")]
        methods = [m for m in methods if m == "plain" or any(w in m for w in wanted)]

    # Untimed warm-up run: first-call costs (allocator, kernels, data cache) hit nobody.
    warm = argparse.Namespace(**{**vars(args), "epochs": 1})
    run_engine(warm, 0, {}, True)

    results: dict[str, list[Run]] = {m: [] for m in methods}
    for seed in range(args.seeds):
        for name in methods:
            if name.startswith("reference"):
                run = run_reference(args, seed, package)
            else:
                ast, baseline = engine_methods()[name]
                run = run_engine(args, seed, ast, baseline)
            results[name].append(run)
            print(
                f"  seed {seed} {name:<38} {run.seconds:7.2f} s  acc {run.accuracy:.3f}",
                file=sys.stderr,
                flush=True,
            )

    plain = results["plain"]
    targets = [r.accuracy - 0.01 for r in plain]
    plain_wall = _median([r.seconds for r in plain])
    plain_cpu = _median([r.cpu_seconds for r in plain])
    print()
    print(
        f"engine benchmark: {args.dataset} / {args.model}, {args.epochs} epochs "
        f"({args.warmup} warmup), batch {args.batch_size}, lr {args.lr}, "
        f"{args.seeds} seeds (median), {args.threads} thread(s), torch {torch.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cpus"
    )
    header = (
        f"{'method':<30} {'wall s':>6} {'xplain':>6} {'cpu s':>6} {'xplain':>6} "
        f"{'FE/smp':>6} {'activ':>5} {'acc':>5} {'t->acc wall/cpu s':>18}"
    )
    print(header)
    print("-" * len(header))
    raw: dict[str, Any] = {}
    for name in methods:
        runs = results[name]
        wall = _median([r.seconds for r in runs])
        cpu = _median([r.cpu_seconds for r in runs])
        reach_wall = [time_to(r.curve, t, 0) for r, t in zip(runs, targets, strict=True)]
        reach_cpu = [time_to(r.curve, t, 1) for r, t in zip(runs, targets, strict=True)]
        reached = sum(math.isfinite(x) for x in reach_wall)
        if reached * 2 > len(runs):
            reach = f"{statistics.median(reach_wall):.1f}/{statistics.median(reach_cpu):.1f}"
        else:
            reach = "not reached"
        reach += f" {reached}/{len(runs)}"
        activations = [r.activation for r in runs if r.activation is not None]
        activation = _median(activations) if activations else 1.0
        short = name.replace("reference AdaptiveSparseTrainer", "reference AST trainer")
        print(
            f"{short:<30} {wall:6.2f} {wall / plain_wall:6.2f} {cpu:6.2f} {cpu / plain_cpu:6.2f} "
            f"{_median([r.fe_per_sample for r in runs]):6.2f} {activation:5.3f} "
            f"{_median([r.accuracy for r in runs]):5.3f} {reach:>18}"
        )
        raw[name] = [vars(r) for r in runs]
    if package is not None:
        claims = [r.extra["claimed_energy_savings_percent"] for r in results[methods[-1]]]
        print(f"\nreference trainer's own 'energy savings' claim (median): {_median(claims):.1f} %")
    savings = [r.extra["energy_savings"] for r in results["ast threshold 0.40"]]
    print(
        f"engine's energy_savings for 'ast threshold 0.40' (median, estimated from "
        f"measured time): {_median(savings):.3f}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"args": vars(args), "runs": raw}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
