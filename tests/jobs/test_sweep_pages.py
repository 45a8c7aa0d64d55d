"""The portal's sweep pages: the list of sweeps, and one sweep's points ranked by accuracy
per kWh with the accuracy/energy Pareto front marked, in a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.models import Sweep
from jobs.reporting.pareto import Outcome
from jobs.sweep_page import per_kwh_text
from tests.jobs.run_rows import finished_run

pytestmark = pytest.mark.django_db

GRID = {"target_activation_rate": [0.2, 0.4, 0.6, 0.8]}


def point(owner, sweep, n, rate, *, accuracy=None, kwh=None, status="succeeded"):
    job = finished_run(
        owner, n, sweep=sweep, status=status, ast_config={"target_activation_rate": rate}
    )
    job.figures["progress"] |= {"val_accuracy": accuracy, "energy_kwh": kwh}
    job.save()
    return job


def new_sweep(owner, name="rates") -> Sweep:
    return Sweep.objects.create(
        owner=owner, name=name, spec={"dataset": "digits", "model": "mlp"}, grid=GRID
    )


@pytest.fixture
def sweep(alice):
    made = new_sweep(alice)
    # accuracy per kWh: 225, 800, 350; the running point is not ranked.
    made.points = {
        "accurate": point(alice, made, 1, 0.8, accuracy=0.90, kwh=0.004),
        "frugal": point(alice, made, 2, 0.2, accuracy=0.80, kwh=0.001),
        "dominated": point(alice, made, 3, 0.4, accuracy=0.70, kwh=0.002),
        "running": point(alice, made, 4, 0.6, accuracy=0.95, kwh=0.0001, status="running"),
    }
    return made


def _row_ids(page: str) -> list[int]:
    table = page[page.index('id="sweep-points"') :]
    return [int(n) for n in re.findall(r'<tr data-job-id="(\d+)"', table)]


def test_points_are_ranked_by_accuracy_per_kwh_with_unfinished_ones_last(client, alice, sweep):
    client.force_login(alice)
    p = sweep.points
    answer = client.get(f"/portal/sweeps/{sweep.pk}/")
    assert answer.status_code == 200
    expected = [p["frugal"].pk, p["dominated"].pk, p["accurate"].pk, p["running"].pk]
    assert _row_ids(answer.content.decode()) == expected
    ranks = [row["rank"] for row in answer.context["rows"]]
    assert ranks == [1, 2, 3, None]
    page = answer.content.decode()
    assert ">800<" in page and "1.00 Wh" in page  # the frugal point's ratio and energy
    assert f'href="/portal/jobs/{p["frugal"].pk}/"' in page
    assert f"/portal/jobs/?sweep={sweep.pk}" in page  # the same points in the runs table


def test_pareto_front_marks_the_points_no_other_beats_on_both_axes(client, alice, sweep):
    client.force_login(alice)
    p = sweep.points
    answer = client.get(f"/portal/sweeps/{sweep.pk}/")
    pareto = {pt["job_id"]: pt for pt in answer.context["pareto"]["points"]}
    # The running point is not finished: neither on the front nor among the points.
    assert set(pareto) == {p["accurate"].pk, p["frugal"].pk, p["dominated"].pk}
    assert {pk for pk, pt in pareto.items() if pt["on_front"]} == {
        p["accurate"].pk,
        p["frugal"].pk,
    }
    assert pareto[p["frugal"].pk] == {
        "job_id": p["frugal"].pk,
        "label": f"#{p['frugal'].pk} run 2",
        "kwh": 0.001,
        "accuracy": 0.80,
        "on_front": True,
    }
    page = answer.content.decode()
    marked = re.findall(r'<tr data-job-id="(\d+)" class="pareto">', page)
    assert sorted(int(pk) for pk in marked) == sorted([p["accurate"].pk, p["frugal"].pk])


def test_grid_values_and_chart_runs_cover_every_point(client, alice, sweep):
    client.force_login(alice)
    answer = client.get(f"/portal/sweeps/{sweep.pk}/")
    assert answer.context["grid_keys"] == ["target_activation_rate"]
    assert [row["params"] for row in answer.context["rows"]] == [[0.2], [0.4], [0.8], [0.6]]
    charts = answer.context["chart_runs"]
    assert [run["job_id"] for run in charts] == [row["job"].pk for row in answer.context["rows"]]
    assert [run["terminal"] for run in charts] == [True, True, True, False]


def test_sweeps_list_shows_size_status_counts_and_best_accuracy_per_kwh(client, alice, bob, sweep):
    new_sweep(alice, name="empty one")
    theirs = new_sweep(bob, name="bobs secret sweep")
    client.force_login(alice)
    answer = client.get("/portal/sweeps/")
    page = answer.content.decode()
    assert answer.status_code == 200
    assert "rates" in page and "empty one" in page and theirs.name not in page
    overview = dict(answer.context["rows"])[sweep]
    assert overview["points"] == 4
    assert overview["status_counts"] == [("running", 1), ("succeeded", 3)]
    assert overview["best_job_id"] == sweep.points["frugal"].pk
    assert "800 <small>" in page
    assert 'href="/portal/sweeps/"' in page  # the portal nav links the list


def test_another_tenants_sweep_is_not_found(client, bob, sweep):
    client.force_login(bob)
    answer = client.get(f"/portal/sweeps/{sweep.pk}/")
    assert answer.status_code == 404 and "rates" not in answer.content.decode()
    assert client.get("/portal/sweeps/99999/").status_code == 404
    assert client.get("/portal/sweeps/99999999999999999999999/").status_code == 404


def test_a_sweep_page_costs_the_same_queries_for_four_points_or_forty(
    client, alice, sweep, django_assert_num_queries
):
    client.force_login(alice)
    client.get(f"/portal/sweeps/{sweep.pk}/")  # session and user lookups cached
    with CaptureQueriesContext(connection) as few:
        client.get(f"/portal/sweeps/{sweep.pk}/")
    for n in range(10, 46):
        point(alice, sweep, n, 0.4, accuracy=0.5 + n / 100, kwh=n / 1000)
    with django_assert_num_queries(len(few.captured_queries)):
        answer = client.get(f"/portal/sweeps/{sweep.pk}/")
    assert len(answer.context["rows"]) == 40
    with CaptureQueriesContext(connection) as listing:
        client.get("/portal/sweeps/")
    new_sweep(alice, name="another")
    with django_assert_num_queries(len(listing.captured_queries)):
        client.get("/portal/sweeps/")


def test_a_points_job_page_links_its_sweep(client, alice, sweep):
    client.force_login(alice)
    page = client.get(f"/portal/jobs/{sweep.points['frugal'].pk}/").content.decode()
    assert f'href="/portal/sweeps/{sweep.pk}/"' in page


@pytest.mark.parametrize(
    ("accuracy", "kwh", "text"),
    [(0.88, 1.76e-5, "50,000"), (0.9, 3.07, "0.293"), (0.8, 0.001, "800")],
)
def test_accuracy_per_kwh_shows_three_significant_figures(accuracy, kwh, text):
    assert per_kwh_text(Outcome(1, accuracy, kwh)) == text
