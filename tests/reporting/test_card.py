import json

import pytest
import yaml

from jobs.reporting.card import TEMPLATES, render_model_card
from jobs.reporting.compare import compare_runs
from jobs.reporting.pricing import PriceSettings
from tests.reporting.factories import make_run

PRICES = PriceSettings()


def _front_matter(markdown: str) -> dict:
    assert markdown.startswith("---\n")
    block = markdown.split("---\n", 2)[1]
    return yaml.safe_load(block)


def _card(run=None, baseline="real", **kwargs):
    run = run or make_run(id=12)
    base = make_run(id=13, baseline=True, dataset=run.dataset, model=run.model)
    comparison = compare_runs(run, base if baseline == "real" else None, PRICES)
    return render_model_card(run, comparison, **kwargs)


def test_model_card_front_matter_has_co2_and_model_index():
    card = _card(repo_id="alice/digits-ast", geographical_location="Frankfurt, DE")
    meta = _front_matter(card.markdown)
    assert meta["library_name"] == "pytorch"
    assert meta["tags"][:3] == ["adaptive-sparse-training", "energy-efficient", "sustainability"]
    assert {"digits", "mlp"} <= set(meta["tags"])
    assert meta["datasets"] == ["digits"] and meta["metrics"] == ["accuracy"]
    co2 = meta["co2_eq_emissions"]
    assert co2["emissions"] > 0  # grams
    assert co2["source"] == "AST Training Hub (estimated)"
    assert co2["training_type"] == "pre-training"
    assert co2["geographical_location"] == "Frankfurt, DE"
    assert co2["hardware_used"] == "cpu (local machine)"
    (entry,) = meta["model-index"]
    assert entry["name"] == "digits-ast"
    (result,) = entry["results"]
    assert result["task"]["type"] == "image-classification"
    assert result["metrics"] == [{"type": "accuracy", "value": 0.96, "name": "Validation accuracy"}]


def test_measured_energy_is_labelled_measured():
    run = make_run(id=12, energy_source="measured")
    meta = _front_matter(_card(run).markdown)
    assert meta["co2_eq_emissions"]["source"] == "AST Training Hub (measured)"


def test_run_name_cannot_inject_template_syntax():
    run = make_run(id=12, name="{{ 7*7 }}{% for x in range(3) %}x{% endfor %}")
    markdown = _card(run).markdown
    assert "# {{ 7*7 }}{% for x in range(3) %}x{% endfor %}" in markdown
    assert "49" not in markdown


def test_run_name_cannot_break_front_matter_or_add_headings():
    run = make_run(id=12, name="nice\n---\nlicense: proprietary\n# Pwned <script>")
    card = _card(run)
    meta = _front_matter(card.markdown)
    assert meta["license"] == "apache-2.0"
    lines = card.markdown.splitlines()
    assert not any(line.startswith(("# Pwned", "license: proprietary")) for line in lines)
    # Inline in the body the name is one escaped line; raw HTML would render on the Hub.
    assert "# nice --- license: proprietary # Pwned &lt;script&gt;" in lines


def test_card_has_badges_report_reproduction_and_plots():
    card = _card(plot_names=("accuracy.png", "activation.png", "energy_savings.png"))
    md = card.markdown
    assert len(card.badges) == 4
    assert all(b.startswith("![") and "img.shields.io/badge/" in b for b in card.badges)
    for badge in card.badges:
        assert badge in md
    assert "## Sustainability report" in md and "| Energy savings |" in md
    assert "python -m jobs.training --config config.json --out out/" in md
    assert "ab" * 32 in md and "1.0.0" in md
    config_block = md.split("```json\n", 1)[1].split("\n```", 1)[0]
    assert json.loads(config_block) == make_run().config
    for plot in ("accuracy.png", "activation.png", "energy_savings.png"):
        assert f"]({plot})" in md


def test_card_says_estimated_when_there_is_no_baseline_run():
    card = _card(baseline=None)
    assert "Estimated baseline" in card.markdown
    assert "baseline accuracy not measured" in card.markdown
    assert "(estimated)" in card.markdown
    assert any("est." in badge for badge in card.badges)


def test_card_states_the_saving_against_the_baseline_run_it_was_measured_against():
    card = _card()
    assert "measured against baseline run #13" in card.markdown


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_run_too_short_to_estimate_gets_a_card_that_says_so(template):
    short = make_run(id=12, with_summary=False, status="succeeded", epochs_done=1)
    short.metrics[-1]["energy_savings"] = None
    card = render_model_card(short, compare_runs(short, None, PRICES), template=template)
    assert "too short to estimate" in card.markdown
    assert "None" not in card.markdown.split("```")[0]
    assert any("too short to estimate" in badge.replace("%20", " ") for badge in card.badges)


def test_each_template_adds_its_own_section():
    standard = _card(template="standard").markdown
    competition = _card(template="competition").markdown
    research = _card(template="research", repo_id="alice/digits-ast").markdown
    assert "## Leaderboard entry" in competition and "## Leaderboard entry" not in standard
    assert "## Methods" in research and "proportional-integral controller" in research
    assert "@misc{alice_digits_ast," in research
    assert "\\url{https://huggingface.co/alice/digits-ast}" in research
    assert "\\begin{tabular}" in research


def test_unknown_template_is_rejected_listing_the_three():
    with pytest.raises(ValueError, match="standard, competition, research"):
        _card(template="fancy")
    assert TEMPLATES == ("standard", "competition", "research")


def test_local_dataset_path_does_not_leak_into_the_card():
    run = make_run(id=12, dataset="csv:/home/alice/secret/patients.csv:label")
    md = _card(run).markdown
    assert "/home/alice" not in md.split("## Reproduction")[0]
    assert _front_matter(md)["datasets"] == ["custom csv data"]


def test_comparison_for_another_run_is_rejected():
    run = make_run(id=12)
    other = compare_runs(make_run(id=99), None, PRICES)
    with pytest.raises(ValueError, match="comparison is for run 99"):
        render_model_card(run, other)


def test_research_card_describes_importance_sampling_when_the_run_used_it():
    run = make_run(id=12)
    run.config["ast"].update(
        selection="importance",
        anneal_fraction=0.125,
        min_keep_probability=0.1,
        scale_learning_rate=True,
    )
    research = _card(run, template="research").markdown
    assert "inverse of that probability" in research and "unbiased estimate" in research
    assert "12.5% of the epochs train on every sample" in research
    assert "the learning rate scaled for the larger batch" in research
    assert "entropy weight" not in research  # the batch-gated modes' wording is not used
