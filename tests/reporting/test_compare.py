import json
import re

import pytest

from jobs.reporting.compare import compare_runs
from jobs.reporting.pricing import PriceSettings
from tests.reporting.factories import make_run

PRICES = PriceSettings()


@pytest.fixture
def ast_run():
    return make_run(id=12, name="digits-ast")


@pytest.fixture
def baseline_run():
    return make_run(
        id=13, name="digits-base", baseline=True, accuracies=[0.82, 0.91, 0.94, 0.955, 0.964]
    )


def test_comparison_numbers_come_from_both_runs_metrics(ast_run, baseline_run):
    c = compare_runs(ast_run, baseline_run, PRICES)
    a, b = ast_run.summary, baseline_run.summary
    assert (c.ast_run_id, c.baseline_run_id, c.estimated) == (12, 13, False)
    assert c.accuracy_diff == pytest.approx(0.96 - 0.964)
    # Energy saved is training energy against training energy: validation is the same
    # work on both sides and left out of both (the engine's own figure does the same).
    assert c.energy_savings == pytest.approx(1 - a["train_energy_kwh"] / b["train_energy_kwh"])
    assert c.energy_basis == "measured against baseline run #13"
    assert c.compute_savings == pytest.approx(
        1 - a["forward_equivalents"] / b["forward_equivalents"]
    )
    assert c.time_savings_hours == pytest.approx((b["wall_seconds"] - a["wall_seconds"]) / 3600)
    assert c.co2_avoided_kg == pytest.approx((b["energy_kwh"] - a["energy_kwh"]) * 0.4)
    assert c.cost_savings_usd == pytest.approx((b["energy_kwh"] - a["energy_kwh"]) * 0.15)
    assert c.ast.forward_equivalents == a["forward_equivalents"]
    assert c.baseline.accuracy == pytest.approx(0.964)


def test_partial_runs_compare_from_their_latest_metric_points(baseline_run):
    running = make_run(id=12, with_summary=False, status="running", epochs_done=3)
    c = compare_runs(running, baseline_run, PRICES)
    assert c.ast.forward_equivalents == running.metrics[-1]["forward_equivalents"]
    assert c.ast.epochs_completed == 3
    # A saving read while a run is still going says so: it is not the pair's final figure.
    assert (
        c.energy_basis
        == "measured against baseline run #13 so far (a run has not finished successfully)"
    )


def test_missing_baseline_is_estimated_from_ast_counts_and_says_so(ast_run):
    c = compare_runs(ast_run, None, PRICES)
    s = ast_run.summary
    ratio = s["baseline_forward_equivalents"] / s["forward_equivalents"]
    assert c.estimated is True and c.baseline_run_id is None
    assert c.accuracy_diff is None and c.baseline.accuracy is None
    assert c.compute_savings == pytest.approx(
        1 - s["forward_equivalents"] / s["baseline_forward_equivalents"]
    )
    # Only the training share of energy scales with work; validation energy is the same.
    other = s["energy_kwh"] - s["train_energy_kwh"]
    assert c.baseline.kwh == pytest.approx(other + s["train_energy_kwh"] * ratio)
    assert "estimated" in c.method and "forward-equivalents" in c.method
    assert "baseline (estimated)" in c.to_markdown()
    assert "Baseline estimated:" in c.to_markdown()
    assert c.as_dict()["estimated"] is True


def test_estimate_takes_plain_trainings_energy_from_the_engines_own_figure():
    running = make_run(with_summary=False, status="running", epochs_done=3)
    last = running.metrics[-1]
    c = compare_runs(running, None, PRICES)
    # No training/validation split before the summary: the total is the training energy.
    assert c.baseline.kwh == pytest.approx(last["energy_kwh"] / (1 - last["energy_savings"]))
    assert c.energy_savings == pytest.approx(last["energy_savings"])
    assert c.energy_basis == "engine estimate (no baseline run)"
    assert "estimated by the engine" in c.method


def test_a_run_too_short_to_estimate_says_so_instead_of_a_number():
    short = make_run(with_summary=False, status="running", epochs_done=1)
    short.metrics[-1]["energy_savings"] = None  # the engine prices nothing before epoch 2
    c = compare_runs(short, None, PRICES)
    assert c.energy_savings is None and c.co2_avoided_kg is None
    assert c.cost_savings_usd is None and c.time_savings_hours is None
    last = short.metrics[-1]  # compute is counted, so known from the first epoch
    assert c.compute_savings == pytest.approx(
        1 - last["forward_equivalents"] / last["baseline_forward_equivalents"]
    )
    assert c.energy_basis == "too short to estimate"
    table = c.to_markdown()
    assert "| Training energy |" in table and "too short to estimate |" in table
    assert "too short to estimate" in c.to_latex()
    json.dumps(c.as_dict())


def test_run_without_metrics_is_a_clear_error(baseline_run):
    empty = make_run(id=21, with_summary=False, epochs_done=0, status="queued")
    with pytest.raises(ValueError, match="run 21 has no metrics yet"):
        compare_runs(empty, baseline_run, PRICES)
    with pytest.raises(ValueError, match="run 21 has no metrics yet"):
        compare_runs(make_run(id=12), empty, PRICES)


def test_baseline_with_zero_work_cannot_divide_by_zero(ast_run, baseline_run):
    zeroed = dict(baseline_run.summary, forward_equivalents=0)
    broken = type(baseline_run)(**{**baseline_run.__dict__, "summary": zeroed})
    with pytest.raises(ValueError, match="run 13 reports zero forward-equivalents"):
        compare_runs(ast_run, broken, PRICES)


def test_runs_of_different_datasets_are_not_comparable(ast_run):
    other = make_run(id=14, baseline=True, dataset="mnist1d")
    with pytest.raises(ValueError, match="not comparable"):
        compare_runs(ast_run, other, PRICES)


def test_a_baseline_run_cannot_be_passed_as_the_ast_run(baseline_run, ast_run):
    with pytest.raises(ValueError, match="run 13 is a baseline run"):
        compare_runs(baseline_run, ast_run, PRICES)


def test_comparison_dict_is_json_safe_and_matches_the_contract(ast_run, baseline_run):
    payload = json.loads(json.dumps(compare_runs(ast_run, baseline_run, PRICES).as_dict()))
    for key in (
        "ast_run_id", "baseline_run_id", "estimated", "accuracy_diff", "energy_savings",
        "compute_savings", "time_savings_hours", "cost_savings_usd", "co2_avoided_kg",
        "ast", "baseline", "markdown", "latex",
    ):  # fmt: skip
        assert key in payload
    assert payload["markdown"].startswith("| metric | AST | baseline | difference |")
    assert payload["latex"].startswith("\\begin{tabular}")


def test_markdown_table_shows_accuracy_difference_in_points(ast_run, baseline_run):
    table = compare_runs(ast_run, baseline_run, PRICES).to_markdown()
    assert "| Validation accuracy | 96.00% | 96.40% | -0.40 pp |" in table


def test_latex_escapes_percent_and_underscore(baseline_run):
    ast = make_run(id=12, dataset="fashion_mnist", model="resnet_18")
    base = make_run(id=13, baseline=True, dataset="fashion_mnist", model="resnet_18")
    latex = compare_runs(ast, base, PRICES).to_latex()
    assert "fashion\\_mnist" in latex and "resnet\\_18" in latex
    assert "\\%" in latex
    assert not re.search(r"(?<!\\)[%_]", latex)
    assert "\\toprule" in latex and "\\bottomrule" in latex and latex.count("\\\\") == 7
