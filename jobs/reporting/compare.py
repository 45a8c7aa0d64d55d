"""AST run versus baseline: savings, costs and the tables that publish them.

With a real baseline run every number comes from the two runs' own stored metrics and
summaries. Without one, the baseline is *estimated* from the AST run's own work counts
(the engine counts what plain training over the same samples would have cost), the result
says so (``estimated=True`` and a ``method`` sentence), and accuracy is left unknown: no
count can tell what accuracy plain training would have reached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .formatting import co2, duration, latex_escape, percent, sig, signed, usd
from .pricing import PriceSettings, RunCost, cost_for, run_cost
from .records import RunRecord


@dataclass(frozen=True)
class RunSummary:
    """One side of a comparison (``run_id`` is None for an estimated baseline)."""

    run_id: int | None
    name: str
    accuracy: float | None
    hours: float
    kwh: float
    cost_usd: float
    co2_kg: float
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
    energy_savings: float
    compute_savings: float
    time_savings_hours: float
    cost_savings_usd: float
    co2_avoided_kg: float
    ast: RunSummary
    baseline: RunSummary

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
        hours_d = a.hours - b.hours
        return [
            ("Validation accuracy", acc_a, acc_b, acc_d),
            (
                "Training time",
                duration(a.hours),
                duration(b.hours),
                f"{signed(duration(hours_d), hours_d)} ({_relative(a.hours, b.hours)})",
            ),
            (
                "Energy (kWh)",
                sig(a.kwh),
                sig(b.kwh),
                signed(percent(-self.energy_savings), -self.energy_savings),
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
                usd(b.cost_usd),
                signed(usd(-self.cost_savings_usd), -self.cost_savings_usd),
            ),
            (
                "CO2 emissions",
                co2(a.co2_kg),
                co2(b.co2_kg),
                signed(co2(-self.co2_avoided_kg), -self.co2_avoided_kg),
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


def _relative(new: float, old: float) -> str:
    return percent(new / old - 1.0) if old else "n/a"


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
    ast_kwh = _required(ast, ast.energy_kwh, "energy reading")
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
    base_kwh = _required(baseline, baseline.energy_kwh, "energy reading")
    base_cost = run_cost(baseline, prices)
    base_side = _summary(baseline, base_cost, base_fe)
    acc_a, acc_b = ast.final_accuracy, baseline.final_accuracy
    return Comparison(
        ast_run_id=ast.id,
        baseline_run_id=baseline.id,
        estimated=False,
        method=(
            f"measured: both runs' own metrics (energy {ast.energy_source} for the AST run, "
            f"{baseline.energy_source} for the baseline)"
        ),
        dataset=ast.dataset,
        model=ast.model,
        accuracy_diff=None if acc_a is None or acc_b is None else acc_a - acc_b,
        energy_savings=_savings(ast_kwh, _positive(baseline, base_kwh, "energy")),
        compute_savings=_savings(ast_fe, _positive(baseline, base_fe, "forward-equivalents")),
        time_savings_hours=base_side.hours - ast_side.hours,
        cost_savings_usd=base_side.cost_usd - ast_side.cost_usd,
        co2_avoided_kg=base_side.co2_kg - ast_side.co2_kg,
        ast=ast_side,
        baseline=base_side,
    )


def _estimated(ast: RunRecord, ast_side: RunSummary, prices: PriceSettings) -> Comparison:
    """Baseline extrapolated from the AST run's counts of what plain training would cost.

    Only the training phase scales with work; validation and setup are the same for both,
    so when the engine split them out only the training share is scaled.
    """
    ast_fe = _positive(ast, ast_side.forward_equivalents, "forward-equivalents")
    base_fe = _required(ast, ast.baseline_forward_equivalents, "baseline forward-equivalent count")
    base_fe = int(_positive(ast, base_fe, "baseline forward-equivalents"))
    ratio = base_fe / ast_fe

    train_kwh, train_s, wall_s = ast.train_energy_kwh, ast.train_seconds, ast.wall_seconds
    if train_kwh is not None and train_kwh <= ast_side.kwh:
        base_kwh = (ast_side.kwh - train_kwh) + train_kwh * ratio
        energy_how = "training energy x ratio, plus the unchanged validation energy"
    else:
        base_kwh = ast_side.kwh * ratio
        energy_how = "total energy x ratio"
    if train_s is not None and wall_s is not None and train_s <= wall_s:
        # Time billed around the engine (an HF job's start-up and upload) is unchanged.
        overhead_hours = max(ast_side.hours - wall_s / 3600.0, 0.0)
        base_hours = ((wall_s - train_s) + train_s * ratio) / 3600.0 + overhead_hours
        time_how = "training time x ratio, plus the unchanged rest of the wall time"
    else:
        base_hours = ast_side.hours * ratio
        time_how = "wall time x ratio"
    method = (
        f"estimated from the AST run's own counts: plain training over the same samples "
        f"costs {base_fe:,} forward-equivalents vs {ast_fe:,} used (ratio {ratio:.3f}); "
        f"baseline energy = {energy_how}; baseline time = {time_how}; "
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
    base_side = RunSummary(
        run_id=None,
        name="estimated baseline",
        accuracy=None,
        hours=base_hours,
        kwh=base_kwh,
        cost_usd=base_cost.usd,
        co2_kg=base_cost.co2_kg,
        forward_equivalents=base_fe,
        energy_source="estimated",
        cost_basis=base_cost.basis,
        quota_hours=base_cost.quota_hours,
        epochs_completed=None,
    )
    return Comparison(
        ast_run_id=ast.id,
        baseline_run_id=None,
        estimated=True,
        method=method,
        dataset=ast.dataset,
        model=ast.model,
        accuracy_diff=None,
        energy_savings=_savings(ast_side.kwh, _positive(ast, base_kwh, "energy")),
        compute_savings=_savings(ast_fe, base_fe),
        time_savings_hours=base_hours - ast_side.hours,
        cost_savings_usd=base_side.cost_usd - ast_side.cost_usd,
        co2_avoided_kg=base_side.co2_kg - ast_side.co2_kg,
        ast=ast_side,
        baseline=base_side,
    )
