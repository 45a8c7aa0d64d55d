"""Training curves as small PNGs for the dashboard and the model card.

Uses ``matplotlib.figure.Figure`` directly rather than pyplot: pyplot keeps global state
that is not thread-safe, and these plots are drawn inside web and worker threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .records import RunRecord

PLOT_NAMES = ("accuracy.png", "activation.png", "energy_savings.png")
DPI = 100
SIZE_INCHES = (6.0, 3.6)


def _series(metrics: Sequence[dict[str, Any]], key: str) -> tuple[list[int], list[float]]:
    """(epochs, values) for the points that have ``key``; warmup points may lack some."""
    epochs: list[int] = []
    values: list[float] = []
    for point in metrics:
        value = point.get(key)
        if value is not None and point.get("epoch") is not None:
            epochs.append(int(point["epoch"]))
            values.append(float(value))
    return epochs, values


def _new_figure() -> Figure:
    fig = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    return fig


def _save(fig: Figure, path: Path) -> Path:
    for ax in fig.axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    fig.savefig(path, format="png", dpi=DPI)
    return path


def _accuracy(run: RunRecord, baseline: RunRecord | None, path: Path) -> Path:
    fig = _new_figure()
    ax = fig.add_subplot()
    epochs, acc = _series(run.metrics, "val_accuracy")
    ax.plot(epochs, acc, marker="o", label="baseline" if run.is_baseline else "AST")
    if baseline is not None and baseline.metrics:
        b_epochs, b_acc = _series(baseline.metrics, "val_accuracy")
        ax.plot(b_epochs, b_acc, marker="s", linestyle="--", label="baseline")
    ax.set_title("Validation accuracy")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return _save(fig, path)


def _activation(run: RunRecord, path: Path) -> Path:
    fig = _new_figure()
    ax = fig.add_subplot()
    epochs, rate = _series(run.metrics, "activation_rate")
    ax.plot(epochs, rate, marker="o", color="tab:blue", label="activation rate")
    target = run.target_activation_rate
    if target is not None and not run.is_baseline:
        ax.axhline(target, color="tab:blue", linestyle="--", alpha=0.7, label="target rate")
    ax.set_ylim(0, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("epoch")
    ax.set_ylabel("activated samples")
    # The threshold is on the gate's score scale, not a fraction: it gets its own axis.
    twin = ax.twinx()
    t_epochs, threshold = _series(run.metrics, "threshold")
    twin.plot(t_epochs, threshold, marker="^", color="tab:orange", label="threshold")
    twin.set_ylabel("threshold")
    handles = ax.get_legend_handles_labels()
    twin_handles = twin.get_legend_handles_labels()
    ax.legend(handles[0] + twin_handles[0], handles[1] + twin_handles[1], loc="best")
    ax.set_title("Activation rate and threshold")
    ax.grid(alpha=0.3)
    return _save(fig, path)


def _savings(run: RunRecord, path: Path) -> Path:
    fig = _new_figure()
    ax = fig.add_subplot()
    for key, label, marker in (
        ("compute_savings", "compute savings", "o"),
        ("energy_savings", "energy savings", "s"),
    ):
        epochs, values = _series(run.metrics, key)
        if epochs:
            ax.plot(epochs, values, marker=marker, label=label)
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlabel("epoch")
    ax.set_ylabel("saved vs plain training")
    ax.set_title("Compute and energy savings (cumulative)")
    ax.grid(alpha=0.3)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="best")
    return _save(fig, path)


def render_plots(run: RunRecord, out_dir: Path, baseline: RunRecord | None = None) -> list[Path]:
    """Write ``accuracy.png``, ``activation.png`` and ``energy_savings.png``; return paths."""
    if not run.metrics:
        raise ValueError(f"run {run.id} has no metrics yet")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    accuracy, activation, savings = (out_dir / name for name in PLOT_NAMES)
    return [
        _accuracy(run, baseline, accuracy),
        _activation(run, activation),
        _savings(run, savings),
    ]
