"""The portal's compare page for two to eight runs side by side (energy saved against each
run's own baseline), the runs table's "Compare selected", and the detailed AST-versus-
baseline links that job pages use."""

import pytest

from jobs.models import MetricPoint, TrainingJob
from tests.jobs.run_rows import finished_run
from tests.reporting.factories import make_run

pytestmark = pytest.mark.django_db


def stored_run(owner, n: int, *, accuracy: float, kwh: float | None, **fields) -> TrainingJob:
    """A finished run whose stored figures say `accuracy` and `kwh`."""
    job = finished_run(owner, n, **fields)
    job.figures["progress"] |= {"val_accuracy": accuracy, "energy_kwh": kwh}
    job.save()
    return job


@pytest.fixture
def three(alice):
    """An AST run with its own baseline, that baseline, and an AST run without one."""
    baseline = stored_run(alice, 1, accuracy=0.90, kwh=0.010, is_baseline=True, name="plain")
    paired = stored_run(alice, 2, accuracy=0.89, kwh=0.0075, paired_with=baseline, name="ast")
    lone = stored_run(alice, 3, accuracy=0.70, kwh=2.5, name="lone")
    return paired, baseline, lone


def _compare(client, *ids):
    return client.get("/portal/compare/?" + "&".join(f"run={pk}" for pk in ids))


def test_three_runs_side_by_side_in_the_order_asked(client, alice, three):
    client.force_login(alice)
    paired, baseline, lone = three
    answer = _compare(client, lone.pk, paired.pk, baseline.pk)
    page = answer.content.decode()
    assert answer.status_code == 200 and "Compare 3 runs" in page
    assert [run["job"].pk for run in answer.context["runs"]] == [lone.pk, paired.pk, baseline.pk]
    assert page.index(f"#{lone.pk} lone") < page.index(f"#{paired.pk} ast")
    # Energy in the unit a person reads: 7.5 Wh, 10 Wh and 2.5 kWh.
    assert "7.50 Wh" in page and "10.0 Wh" in page and "2.50 kWh" in page
    assert "0.890" in page and "0.700" in page  # accuracies


def test_each_run_shows_the_stored_saving_and_what_it_was_measured_against(client, alice, three):
    client.force_login(alice)
    paired, baseline, lone = three
    paired.figures["progress"] |= {
        "energy_saved": 0.25,
        "energy_saved_basis": f"measured against baseline run #{baseline.pk}",
        "energy_source": "estimated",
    }
    paired.save()
    answer = _compare(client, paired.pk, lone.pk)
    runs = {run["job"].pk: run for run in answer.context["runs"]}
    assert runs[paired.pk]["energy_saved"] == pytest.approx(0.25)
    assert runs[lone.pk]["energy_saved_basis"] == "engine estimate"
    page = answer.content.decode()
    assert "25.0 %" in page and f"measured against baseline run #{baseline.pk}" in page
    assert "engine estimate" in page and "estimated" in page


def test_chart_runs_name_each_compared_run(client, alice, three):
    client.force_login(alice)
    paired, baseline, _ = three
    answer = _compare(client, baseline.pk, paired.pk)
    assert answer.context["chart_runs"] == [
        {"job_id": baseline.pk, "label": f"#{baseline.pk} plain", "is_baseline": True,
         "terminal": True},
        {"job_id": paired.pk, "label": f"#{paired.pk} ast", "is_baseline": False,
         "terminal": True},
    ]  # fmt: skip


def test_another_tenants_run_in_the_list_is_not_found(client, alice, bob, three):
    theirs = stored_run(bob, 9, accuracy=0.5, kwh=0.1)
    client.force_login(alice)
    answer = _compare(client, three[0].pk, theirs.pk)
    assert answer.status_code == 404
    assert "0.500" not in answer.content.decode()
    assert _compare(client, three[0].pk, 10**9).status_code == 404


def test_nine_runs_are_refused_with_a_clear_message(client, alice):
    runs = [stored_run(alice, n, accuracy=0.5, kwh=0.1) for n in range(1, 10)]
    client.force_login(alice)
    answer = _compare(client, *[job.pk for job in runs])
    assert answer.status_code == 400
    assert "Compare at most 8 runs at a time; 9 were selected." in answer.content.decode()
    assert _compare(client, *[job.pk for job in runs[:8]]).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("run=abc&run=2", "is not a run number"),
        ("run=-1&run=2", "is not a run number"),
        ("run=99999999999999999999999&run=2", "is not a run number"),
        ("run=", "is not a run number"),
        ("run=5", "Select at least two runs to compare."),
        ("run=5&run=5", "Select at least two runs to compare."),
    ],
)
def test_bad_run_ids_get_a_message_not_a_failure(client, alice, query, message):
    client.force_login(alice)
    answer = client.get(f"/portal/compare/?{query}")
    assert answer.status_code == 400 and message in answer.content.decode()


def test_compare_selected_sends_three_runs_to_a_shareable_link(client, alice, three):
    client.force_login(alice)
    ids = [three[2].pk, three[0].pk, three[1].pk]
    answer = client.get("/portal/jobs/compare/?" + "&".join(f"run={pk}" for pk in ids))
    assert answer.status_code == 302
    assert answer["Location"] == "/portal/compare/?" + "&".join(f"run={pk}" for pk in ids)


def test_compare_selected_puts_two_ast_runs_side_by_side(client, alice, three):
    client.force_login(alice)
    answer = client.get(f"/portal/jobs/compare/?run={three[0].pk}&run={three[2].pk}")
    assert answer["Location"] == f"/portal/compare/?run={three[0].pk}&run={three[2].pk}"


def test_compare_selected_refuses_more_than_eight(client, alice):
    runs = [stored_run(alice, n, accuracy=0.5, kwh=0.1) for n in range(1, 10)]
    client.force_login(alice)
    answer = client.get(
        "/portal/jobs/compare/?" + "&".join(f"run={job.pk}" for job in runs), follow=True
    )
    assert "Compare at most 8 runs at a time" in answer.content.decode()
    assert answer.redirect_chain[-1][0] == "/portal/jobs/"


def _with_points(job: TrainingJob, record) -> TrainingJob:
    """Give a stored job the engine's metric points and summary of a reporting record."""
    MetricPoint.objects.bulk_create(
        [MetricPoint(job=job, epoch=point["epoch"], data=point) for point in record.metrics]
    )
    TrainingJob.objects.filter(pk=job.pk).update(summary=record.summary, config=record.config)
    return job


def test_detailed_comparison_links_keep_working_with_latex(client, alice):
    baseline = _with_points(
        stored_run(alice, 1, accuracy=0.9, kwh=0.01, is_baseline=True),
        make_run(id=1, baseline=True),
    )
    ast = _with_points(
        stored_run(alice, 2, accuracy=0.9, kwh=0.01, paired_with=baseline), make_run(id=2)
    )
    client.force_login(alice)
    answer = client.get(f"/portal/compare/?ast_run_id={ast.pk}&baseline_run_id={baseline.pk}")
    page = answer.content.decode()
    assert answer.status_code == 200
    assert 'id="comparison"' in page and "\\begin{tabular}" in page and "| metric |" in page
    assert [run["job_id"] for run in answer.context["chart_runs"]] == [ast.pk, baseline.pk]
