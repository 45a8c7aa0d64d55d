"""AST run versus baseline: savings, costs and the tables that publish them.

**Energy saved** has one definition everywhere (job page, compare, model card,
leaderboard, the engine's own figure): ``1 - AST training energy / plain training's
training energy over the same data``, validation left out on both sides (it is the same
work in both). What differs is only where plain training's energy comes from:

- a paired baseline run that finished: its own training energy (``basis`` "baseline run");
- otherwise the engine's estimate, which prices the work AST skipped at the energy per
  forward-equivalent measured over the run's own epochs after the first
  (``basis`` "engine estimate"). A run that has not finished such an epoch is *too short
  to estimate*: the saving, and every figure that would need plain training's energy, is
  None rather than a wrong number.

Accuracy is compared only against a real baseline run: no count can tell what accuracy
plain training would have reached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .formatting import co2, duration, energy, latex_escape, percent, signed, usd
from .pricing import PriceSettings, RunCost, cost_for, run_cost
from .records import RunRecord


@dataclass(frozen=True)
class RunSummary:
    """One side of a comparison (``run_id`` is None for an estimated baseline)."""

    run_id: int | None
    name: str
    accuracy: float | None
    # None only for an estimated baseline of a run too short to estimate.
    hours: float | None
    kwh: float | None
    train_kwh: float | None
    cost_usd: float | None
    co2_kg: float | None
    forward_equivalents: int
    energy_source: str
    cost_basis: str
    quota_hours: float
    epochs_completed: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "name": self.name,
            "accuracy": self.accuracy,
            "hours": self.hours,
            "kwh": self.kwh,
            "train_kwh": self.train_kwh,
            "cost_usd": self.cost_usd,
            "co2_kg": self.co2_kg,
            "forward_equivalents": self.forward_equivalents,
            "energy_source": self.energy_source,
            "cost_basis": self.cost_basis,
            "quota_hours": self.quota_hours,
            "epochs_completed": self.epochs_completed,
        }


@dataclass(frozen=True)
class Comparison:
    ast_run_id: int
    baseline_run_id: int | None
    estimated: bool
    method: str
    dataset: str
    model: str
    accuracy_diff: float | None
    # None: too short to estimate (no baseline run, and the engine could not price it).
    energy_savings: float | None
    compute_savings: float
    time_savings_hours: float | None
    cost_savings_usd: float | None
    co2_avoided_kg: float | None
    ast: RunSummary
    baseline: RunSummary

    # False unless both runs succeeded: a running, failed or cancelled run's figures are its
    # latest epoch's, not the pair's final figure.
    finished: bool = True

    @property
    def energy_basis(self) -> str:
        """Where plain training's energy came from, as the figure's label says it."""
        if self.baseline_run_id is not None:
            basis = f"measured against baseline run #{self.baseline_run_id}"
            return (
                basis if self.finished else basis + " so far (a run has not finished successfully)"
            )
        if self.energy_savings is None:
            return TOO_SHORT
        return "engine estimate (no baseline run)"

    def as_dict(self) -> dict[str, Any]:
        """The REST ``/compare/`` payload (JSON-safe: numbers, strings, None, bools)."""
        return {
            "ast_run_id": self.ast_run_id,
            "baseline_run_id": self.baseline_run_id,
            "estimated": self.estimated,
            "method": self.method,
            "dataset": self.dataset,
            "model": self.model,
            "accuracy_diff": self.accuracy_diff,
            "energy_savings": self.energy_savings,
            "energy_basis": self.energy_basis,
            "compute_savings": self.compute_savings,
            "time_savings_hours": self.time_savings_hours,
            "cost_savings_usd": self.cost_savings_usd,
            "co2_avoided_kg": self.co2_avoided_kg,
            "ast": self.ast.as_dict(),
            "baseline": self.baseline.as_dict(),
            "markdown": self.to_markdown(),
            "latex": self.to_latex(),
        }

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(metric, AST, baseline, AST - baseline) as display text, shared by both tables."""
        a, b = self.ast, self.baseline
        acc_a = percent(a.accuracy, 2) if a.accuracy is not None else "n/a"
        acc_b = percent(b.accuracy, 2) if b.accuracy is not None else "n/a"
        acc_d = (
            signed(f"{self.accuracy_diff * 100:.2f} pp", self.accuracy_diff)
            if self.accuracy_diff is not None
            else "n/a"
        )
        return [
            ("Validation accuracy", acc_a, acc_b, acc_d),
            (
                "Training time",
                duration(a.hours),
                _or_unknown(b.hours, duration),
                _difference(a.hours, b.hours, duration),
            ),
            (
                "Training energy",
                energy(a.train_kwh),
                _or_unknown(b.train_kwh, energy),
                TOO_SHORT
                if self.energy_savings is None
                else signed(percent(-self.energy_savings), -self.energy_savings),
            ),
            (
                "Compute (forward-equivalents)",
                f"{a.forward_equivalents:,}",
                f"{b.forward_equivalents:,}",
                signed(percent(-self.compute_savings), -self.compute_savings),
            ),
            (
                "Cost",
                usd(a.cost_usd),
                _or_unknown(b.cost_usd, usd),
                _difference(a.cost_usd, b.cost_usd, usd),
            ),
            (
                "CO2 emissions",
                co2(a.co2_kg),
                _or_unknown(b.co2_kg, co2),
                _difference(a.co2_kg, b.co2_kg, co2),
            ),
        ]

    @property
    def baseline_label(self) -> str:
        return "baseline (estimated)" if self.estimated else "baseline"

    def to_markdown(self) -> str:
        """A GitHub table; an estimated baseline is labelled and its method stated below."""
        lines = [
            f"| metric | AST | {self.baseline_label} | difference |",
            "|---|---:|---:|---:|",
        ]
        lines += [f"| {m} | {a} | {b} | {d} |" for m, a, b, d in self.rows()]
        lines += ["", f"_Energy saved: {ENERGY_SAVED_DEFINITION}; {self.energy_basis}._"]
        if self.estimated:
            lines += ["", f"_Baseline estimated: {self.method}_"]
        return "\n".join(lines) + "\n"

    def to_latex(self) -> str:
        """A booktabs ``tabular`` to paste into a paper (needs ``\\usepackage{booktabs}``)."""
        header = f"Metric ({self.dataset}, {self.model})"
        base = "Baseline (est.)" if self.estimated else "Baseline"
        lines = [
            r"\begin{tabular}{lrrr}",
            r"\toprule",
            f"{latex_escape(header)} & AST & {base} & Difference \\\\",
            r"\midrule",
        ]
        for row in self.rows():
            cells = [_latex_cell(cell) for cell in row]
            lines.append(" & ".join(cells) + r" \\")
        lines += [r"\bottomrule", r"\end{tabular}"]
        return "\n".join(lines) + "\n"


TOO_SHORT = "too short to estimate"
ENERGY_SAVED_DEFINITION = (
    "1 - AST training energy / plain training's training energy over the same data "
    "(validation excluded on both sides)"
)


def _or_unknown(value: float | None, show) -> str:
    return TOO_SHORT if value is None else show(value)


def _difference(ast: float, baseline: float | None, show) -> str:
    """AST minus baseline, signed, with the relative change."""
    if baseline is None:
        return TOO_SHORT
    diff = ast - baseline
    return f"{signed(show(diff), diff)} ({_relative(ast, baseline)})"


def _relative(new: float, old: float) -> str:
    return percent(new / old - 1.0) if old else "n/a"


def training_kwh(run: RunRecord) -> float | None:
    """The run's training-phase energy; the total where the engine did not split it."""
    total, train = run.energy_kwh, run.train_energy_kwh
    if train is not None and (total is None or train <= total):
        return train
    return total


def _latex_cell(text: str) -> str:
    escaped = latex_escape(text).replace("CO2", r"CO\textsubscript{2}")
    # A typeset minus, not a hyphen, for negative numbers (leading or in parentheses).
    return re.sub(r"(^|\()-", lambda m: m.group(1) + "$-$", escaped)


def _summary(run: RunRecord, cost: RunCost, fe: int) -> RunSummary:
    return RunSummary(
        run_id=run.id,
        name=run.name,
        accuracy=run.final_accuracy,
        hours=cost.hours,
        kwh=cost.kwh,
        train_kwh=training_kwh(run),
        cost_usd=cost.usd,
        co2_kg=cost.co2_kg,
        forward_equivalents=fe,
        energy_source=run.energy_source,
        cost_basis=cost.basis,
        quota_hours=cost.quota_hours,
        epochs_completed=run.epochs_completed,
    )


def _required(run: RunRecord, value: Any, what: str) -> Any:
    if value is None:
        raise ValueError(f"run {run.id} has no {what} yet")
    return value


def _positive(run: RunRecord, value: float, what: str) -> float:
    if value <= 0:
        raise ValueError(f"run {run.id} reports zero {what}; savings cannot be computed")
    return value


def _savings(used: float, baseline: float) -> float:
    return 1.0 - used / baseline


def compare_runs(ast: RunRecord, baseline: RunRecord | None, prices: PriceSettings) -> Comparison:
    """Compare an AST run with its baseline run, or with an estimate when there is none."""
    ast.require_data()
    if ast.is_baseline:
        raise ValueError(f"run {ast.id} is a baseline run; pass the AST run first")
    ast_fe = _required(ast, ast.forward_equivalents, "forward-equivalent count")
    _required(ast, ast.energy_kwh, "energy reading")
    ast_cost = run_cost(ast, prices)
    ast_side = _summary(ast, ast_cost, ast_fe)

    if baseline is None:
        return _estimated(ast, ast_side, prices)

    if baseline.id == ast.id:
        raise ValueError(f"run {ast.id} cannot be its own baseline")
    baseline.require_data()
    if (baseline.dataset, baseline.model) != (ast.dataset, ast.model):
        raise ValueError(
            f"run {ast.id} trained {ast.model} on {ast.dataset} but baseline run {baseline.id} "
            f"trained {baseline.model} on {baseline.dataset}: not comparable"
        )
    base_fe = _required(baseline, baseline.forward_equivalents, "forward-equivalent count")
    _required(baseline, baseline.energy_kwh, "energy reading")
    base_cost = run_cost(baseline, prices)
    base_side = _summary(baseline, base_cost, base_fe)
    acc_a, acc_b = ast.final_accuracy, baseline.final_accuracy
    return Comparison(
        ast_run_id=ast.id,
        baseline_run_id=baseline.id,
        estimated=False,
        method=(
            f"both runs' own metrics (energy {ast.energy_source} for the AST run, "
            f"{baseline.energy_source} for the baseline)"
        ),
        dataset=ast.dataset,
        model=ast.model,
        accuracy_diff=None if acc_a is None or acc_b is None else acc_a - acc_b,
        energy_savings=_savings(
            ast_side.train_kwh, _positive(baseline, base_side.train_kwh, "training energy")
        ),
        compute_savings=_savings(ast_fe, _positive(baseline, base_fe, "forward-equivalents")),
        time_savings_hours=base_side.hours - ast_side.hours,
        cost_savings_usd=base_side.cost_usd - ast_side.cost_usd,
        co2_avoided_kg=base_side.co2_kg - ast_side.co2_kg,
        ast=ast_side,
        baseline=base_side,
        finished=ast.status == baseline.status == "succeeded",
    )


def _estimated(ast: RunRecord, ast_side: RunSummary, prices: PriceSettings) -> Comparison:
    """Plain training estimated from the engine's own figure for the run.

    The engine priced the work AST skipped at the energy per forward-equivalent it
    measured (``energy_savings``); plain training's training energy follows from it, and
    its training time scales the same way (the estimate is time x power, or counters
    that track time). Validation, setup and the platform's own overhead are the same
    for both. No engine figure (a run too short to estimate): every baseline figure
    that needs it is None.
    """
    ast_fe = _positive(ast, ast_side.forward_equivalents, "forward-equivalents")
    base_fe = _required(ast, ast.baseline_forward_equivalents, "baseline forward-equivalent count")
    base_fe = int(_positive(ast, base_fe, "baseline forward-equivalents"))
    saving = ast.energy_savings
    train_kwh = ast_side.train_kwh
    counts = (
        f"plain training over the same samples costs {base_fe:,} forward-equivalents vs "
        f"{ast_fe:,} used"
    )
    if saving is None or train_kwh is None or saving >= 1.0:
        return _too_short(ast, ast_side, base_fe, ast_fe, counts)
    ratio = 1.0 / (1.0 - saving)
    base_train_kwh = train_kwh * ratio
    base_kwh = (ast_side.kwh - train_kwh) + base_train_kwh
    train_s, wall_s = ast.train_seconds, ast.wall_seconds
    if train_s is not None and wall_s is not None and train_s <= wall_s:
        # Time billed around the engine (an HF job's start-up and upload) is unchanged.
        overhead_hours = max(ast_side.hours - wall_s / 3600.0, 0.0)
        base_hours = ((wall_s - train_s) + train_s * ratio) / 3600.0 + overhead_hours
    else:
        base_hours = ast_side.hours * ratio
    method = (
        f"estimated by the engine: {counts}; the skipped work is priced at the energy per "
        f"forward-equivalent measured over this run's epochs after the first, so plain "
        f"training would have drawn {ratio:.3f}x this run's training energy and time; "
        f"baseline accuracy unknown"
    )
    base_cost = cost_for(
        platform=ast.platform,
        hardware=ast.hardware,
        hours=base_hours,
        kwh=base_kwh,
        prices=prices,
        energy_source="estimated",
    )
    base_side = _estimated_baseline(
        base_fe, hours=base_hours, kwh=base_kwh, train_kwh=base_train_kwh, cost=base_cost
    )
    return Comparison(
        ast_run_id=ast.id,
        baseline_run_id=None,
        estimated=True,
        method=method,
        dataset=ast.dataset,
        model=ast.model,
        accuracy_diff=None,
        energy_savings=saving,
        compute_savings=_savings(ast_fe, base_fe),
        time_savings_hours=base_hours - ast_side.hours,
        cost_savings_usd=base_side.cost_usd - ast_side.cost_usd,
        co2_avoided_kg=base_side.co2_kg - ast_side.co2_kg,
        ast=ast_side,
        baseline=base_side,
    )


def _estimated_baseline(
    base_fe: int,
    *,
    hours: float | None = None,
    kwh: float | None = None,
    train_kwh: float | None = None,
    cost: RunCost | None = None,
) -> RunSummary:
    """Plain training as estimated; its energy, time and cost stay None when unknown."""
    return RunSummary(
        run_id=None,
        name="estimated baseline",
        accuracy=None,
        hours=hours,
        kwh=kwh,
        train_kwh=train_kwh,
        cost_usd=cost.usd if cost else None,
        co2_kg=cost.co2_kg if cost else None,
        forward_equivalents=base_fe,
        energy_source="estimated",
        cost_basis=cost.basis if cost else "",
        quota_hours=cost.quota_hours if cost else 0.0,
        epochs_completed=None,
    )


def _too_short(
    ast: RunRecord, ast_side: RunSummary, base_fe: int, ast_fe: int, counts: str
) -> Comparison:
    unknown = _estimated_baseline(base_fe)
    return Comparison(
        ast_run_id=ast.id,
        baseline_run_id=None,
        estimated=True,
        method=(
            f"{TOO_SHORT}: {counts}, but the engine prices skipped work on the epochs after "
            f"the first and none has finished; run a paired baseline or train longer"
        ),
        dataset=ast.dataset,
        model=ast.model,
        accuracy_diff=None,
        energy_savings=None,
        compute_savings=_savings(ast_fe, base_fe),
        time_savings_hours=None,
        cost_savings_usd=None,
        co2_avoided_kg=None,
        ast=ast_side,
        baseline=unknown,
    )
