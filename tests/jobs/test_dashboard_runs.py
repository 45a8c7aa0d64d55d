"""The dashboard's New job button and recent runs: the user's own, newest first, each
linking to its page, with an empty state that points a new user at New job."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import TrainingJob
from jobs.templatetags.recent_runs import RECENT_RUNS
from tests.jobs.run_rows import finished_run

pytestmark = pytest.mark.django_db


def recent_runs_card(page: str) -> str:
    start = page.index('id="recent-runs"')
    return page[start : page.index("</section>", start)]


def test_new_user_sees_a_new_job_button_and_an_empty_state_pointing_at_it(client, alice):
    client.force_login(alice)
    page = client.get("/portal/").content.decode()
    assert re.search(r'<a class="button big" id="new-job-button" href="/portal/jobs/new/">', page)
    card = recent_runs_card(page)
    assert "No runs yet" in card and 'href="/portal/jobs/new/"' in card
    assert "<table" not in card


def run_made_minutes_ago(owner, n: int, **fields) -> TrainingJob:
    return finished_run(owner, n, created_at=timezone.now() - timedelta(minutes=n), **fields)


def test_recent_runs_are_this_users_newest_with_their_figures(client, alice, bob):
    TrainingJob.objects.bulk_create(
        [run_made_minutes_ago(alice, n) for n in range(1, RECENT_RUNS + 3)]
        + [run_made_minutes_ago(bob, 0, name="bob's secret run")]
    )
    client.force_login(alice)
    card = recent_runs_card(client.get("/portal/").content.decode())
    shown = re.findall(r'<a href="/portal/jobs/(\d+)/">run (\d+)</a>', card)
    # Run n was made n minutes ago: the newest are the smallest n.
    assert [int(n) for _, n in shown] == list(range(1, RECENT_RUNS + 1))
    run_3 = TrainingJob.objects.get(owner=alice, name="run 3")
    assert (str(run_3.pk), "3") in shown
    assert "bob" not in card
    assert "0.530" in card and "30.0 %" in card  # run 3: accuracy 0.53, energy saved 0.3
    assert 'href="/portal/jobs/">All runs' in card


def test_another_tenants_runs_never_reach_the_dashboard(client, alice, bob):
    TrainingJob.objects.bulk_create([finished_run(bob, 1)])
    client.force_login(alice)
    card = recent_runs_card(client.get("/portal/").content.decode())
    assert "No runs yet" in card and "/portal/jobs/" + str(TrainingJob.objects.get().pk) not in card
