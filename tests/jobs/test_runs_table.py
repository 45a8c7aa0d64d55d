"""The portal's runs table: figures as columns, sorting, filters, paging, compare selected,
and a page that costs the same few queries whatever the number of runs."""

import re

import pytest

from jobs.models import TrainingJob
from tests.jobs.run_rows import finished_run

pytestmark = pytest.mark.django_db


def _ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'name="run" value="(\d+)"', page)]


@pytest.fixture
def runs(alice):
    made = TrainingJob.objects.bulk_create([finished_run(alice, n) for n in range(1, 8)])
    baseline = finished_run(alice, 8, is_baseline=True, platform="kaggle", dataset="cifar10")
    return made + [TrainingJob.objects.bulk_create([baseline])[0]]


def test_rows_show_accuracy_savings_cost_and_duration(client, alice, runs):
    client.force_login(alice)
    page = client.get("/portal/jobs/").content.decode()
    assert "0.510" in page  # run 1's accuracy
    assert "10.0 %" in page and "0.100 ¢" in page  # run 1's energy saved and cost
    assert "31 s" in page  # run 1 ran from start to finish in 31 seconds
    assert '<span class="tag baseline">baseline</span>' in page


def test_sorting_by_accuracy_puts_the_best_run_first_and_flips(client, alice, runs):
    client.force_login(alice)
    best_first = _ids(client.get("/portal/jobs/?sort=-accuracy").content.decode())
    accuracies = [TrainingJob.objects.get(pk=pk).figures["progress"]["val_accuracy"]
                  for pk in best_first]  # fmt: skip
    assert accuracies == sorted(accuracies, reverse=True)
    worst_first = _ids(client.get("/portal/jobs/?sort=accuracy").content.decode())
    assert worst_first == best_first[::-1]


def test_filters_narrow_by_kind_platform_and_data_set(client, alice, runs):
    client.force_login(alice)
    baseline = runs[-1].pk
    assert _ids(client.get("/portal/jobs/?kind=baseline").content.decode()) == [baseline]
    assert _ids(client.get("/portal/jobs/?platform=kaggle").content.decode()) == [baseline]
    assert _ids(client.get("/portal/jobs/?dataset=cifar").content.decode()) == [baseline]
    assert baseline not in _ids(client.get("/portal/jobs/?kind=ast").content.decode())


def test_unknown_sort_and_filter_values_fall_back_instead_of_failing(client, alice, runs):
    client.force_login(alice)
    for query in ("sort=password", "status=nope", "page=-3", "sweep=1e9", "page=99999"):
        answer = client.get(f"/portal/jobs/?{query}")
        assert answer.status_code == 200, query


def test_pages_hold_fifty_runs_and_link_to_the_next(client, alice):
    TrainingJob.objects.bulk_create([finished_run(alice, n) for n in range(1, 61)])
    client.force_login(alice)
    first = client.get("/portal/jobs/").content.decode()
    assert len(_ids(first)) == 50 and "Page 1 of 2" in first and "page=2" in first
    assert len(_ids(client.get("/portal/jobs/?page=2").content.decode())) == 10


def test_another_users_runs_are_not_listed(client, alice, bob, runs):
    client.force_login(bob)
    assert _ids(client.get("/portal/jobs/").content.decode()) == []


def test_compare_selected_sends_the_ast_run_first(client, alice, runs):
    client.force_login(alice)
    ast, baseline = runs[0].pk, runs[-1].pk
    answer = client.get(f"/portal/jobs/compare/?run={baseline}&run={ast}")
    assert answer.status_code == 302
    assert answer["Location"] == f"/portal/compare/?ast_run_id={ast}&baseline_run_id={baseline}"


def test_compare_selected_needs_two_or_more_of_your_runs(client, alice, bob, runs):
    client.force_login(alice)
    one = client.get(f"/portal/jobs/compare/?run={runs[0].pk}", follow=True)
    assert "Select at least two runs to compare" in one.content.decode()
    client.force_login(bob)
    theirs = client.get(f"/portal/jobs/compare/?run={runs[0].pk}&run={runs[1].pk}")
    assert theirs.status_code == 404


def test_a_page_costs_the_same_queries_for_ten_runs_or_five_hundred(
    client, alice, django_assert_max_num_queries
):
    TrainingJob.objects.bulk_create([finished_run(alice, n) for n in range(1, 11)])
    client.force_login(alice)
    client.get("/portal/jobs/")  # session and user lookups cached like any later request
    with django_assert_max_num_queries(8) as few:
        client.get("/portal/jobs/")
    TrainingJob.objects.bulk_create([finished_run(alice, n) for n in range(11, 501)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/portal/jobs/?sort=-accuracy")
