"""The public energy leaderboard: opt-in per run, published runs only, ranked per data
set by accuracy per kWh, no e-mail anywhere; opt-in on REST, MCP (see test_mcp_tools),
CLI and portal."""

import json

import pytest
from django.utils import timezone

from asthub_client.cli import EXIT_NOT_FOUND, EXIT_OK, main
from asthub_site.errors import InvalidInput, NotFound
from jobs.leaderboard.selectors import leaderboard
from jobs.leaderboard.services import set_leaderboard_listing
from jobs.models import JobStatus, Publication, PublicationStatus
from tests.sharing.conftest import HUB_URL
from tests.sharing.factories import stored_job

pytestmark = pytest.mark.django_db


def published(job, url="https://huggingface.co/someone/model"):
    Publication.objects.create(
        owner=job.owner,
        job=job,
        source_platform="local",
        source_ref=str(job.pk),
        target_platform="huggingface",
        target_ref=url.rsplit("/", 2)[-2] + "/" + url.rsplit("/", 1)[-1],
        published_ref=url.split("huggingface.co/")[-1],
        status=PublicationStatus.SUCCEEDED,
        url=url,
        finished_at=timezone.now(),
    )
    return job


def entries(dataset="digits"):
    (group,) = [g for g in leaderboard()["datasets"] if g["dataset"] == dataset]
    return group["entries"]


def test_runs_are_off_the_board_unless_the_owner_opts_in(alice):
    published(stored_job(alice))
    assert leaderboard()["datasets"] == []


def test_a_listed_run_appears_only_once_published(alice):
    job = stored_job(alice)
    set_leaderboard_listing(user=alice, job_id=job.pk, listed=True, display_name="Lab A")
    assert leaderboard()["datasets"] == []
    published(job)
    set_leaderboard_listing(user=alice, job_id=job.pk, listed=True, display_name="Lab A")
    (row,) = entries()
    assert row["display_name"] == "Lab A"
    assert row["model_url"] == "https://huggingface.co/someone/model"
    assert row["energy_source"] == "estimated"
    assert row["accuracy_per_kwh"] == pytest.approx(row["accuracy"] / row["energy_kwh"])
    assert row["saving_basis"] == "engine estimate" and row["energy_saved_kwh"] > 0


def test_runs_rank_by_accuracy_per_kwh_within_each_dataset(alice, bob):
    frugal = published(stored_job(alice, kwh_per_fe=1.0e-9))
    hungry = published(stored_job(bob, kwh_per_fe=4.0e-9))
    other = published(stored_job(bob, dataset="mnist1d"))
    for user, job in ((alice, frugal), (bob, hungry), (bob, other)):
        set_leaderboard_listing(user=user, job_id=job.pk, listed=True)
    digits = entries("digits")
    assert [row["rank"] for row in digits] == [1, 2]
    assert digits[0]["accuracy_per_kwh"] > digits[1]["accuracy_per_kwh"]
    assert digits[0]["energy_kwh"] < digits[1]["energy_kwh"]
    assert {row["display_name"] for row in digits} == {"anonymous"}
    assert [g["dataset"] for g in leaderboard()["datasets"]] == ["digits", "mnist1d"]
    assert [g["dataset"] for g in leaderboard(dataset="mnist1d")["datasets"]] == ["mnist1d"]


def test_a_paired_baseline_gives_a_measured_saving(alice):
    baseline = stored_job(alice, baseline=True)
    job = published(stored_job(alice, paired_with=baseline))
    set_leaderboard_listing(user=alice, job_id=job.pk, listed=True)
    (row,) = entries()
    assert row["saving_basis"] == "baseline run"
    assert row["baseline_energy_kwh"] == pytest.approx(baseline.summary["energy_kwh"])


def test_unlisting_takes_a_run_off(alice):
    job = published(stored_job(alice))
    set_leaderboard_listing(user=alice, job_id=job.pk, listed=True)
    set_leaderboard_listing(user=alice, job_id=job.pk, listed=False)
    assert leaderboard()["datasets"] == []


def test_only_succeeded_ast_runs_can_be_listed(alice):
    with pytest.raises(InvalidInput, match="baseline"):
        set_leaderboard_listing(user=alice, job_id=stored_job(alice, baseline=True).pk, listed=True)
    running = stored_job(alice, status=JobStatus.RUNNING, epochs_done=2)
    with pytest.raises(InvalidInput, match="running"):
        set_leaderboard_listing(user=alice, job_id=running.pk, listed=True)


def test_display_names_cannot_be_emails(alice):
    with pytest.raises(InvalidInput):
        set_leaderboard_listing(
            user=alice, job_id=stored_job(alice).pk, listed=True, display_name="a@b.c"
        )


def test_bob_cannot_list_or_read_the_listing_of_alices_run(alice, bob, api_as):
    job = stored_job(alice)
    with pytest.raises(NotFound):
        set_leaderboard_listing(user=bob, job_id=job.pk, listed=True)
    api = api_as(bob)
    assert api.get(f"/api/v1/jobs/{job.pk}/leaderboard/").status_code == 404
    put = api.put(f"/api/v1/jobs/{job.pk}/leaderboard/", {"listed": True}, format="json")
    assert put.status_code == 404


def test_rest_opt_in_and_the_public_board(alice, api_as, anon):
    job = published(stored_job(alice))
    api = api_as(alice)
    answer = api.put(
        f"/api/v1/jobs/{job.pk}/leaderboard/",
        {"listed": True, "display_name": "Alice's lab"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() | {"listed_at": None} == {
        "job_id": job.pk, "listed": True, "display_name": "Alice's lab",
        "listed_at": None, "published": True,
    }  # fmt: skip
    assert api.get(f"/api/v1/jobs/{job.pk}/leaderboard/").json()["listed"] is True
    board = anon.get("/api/v1/leaderboard?dataset=digits")
    assert board.status_code == 200
    text = board.content.decode()
    assert "alice@example.com" not in text and "@" not in text
    assert board.json()["datasets"][0]["entries"][0]["display_name"] == "Alice's lab"
    read_only = api_as(alice, ["jobs:read"])
    refused = read_only.put(f"/api/v1/jobs/{job.pk}/leaderboard/", {"listed": False})
    assert refused.status_code == 403


def test_portal_job_page_opts_in_and_the_public_page_shows_it(client, alice):
    job = published(stored_job(alice, name="frugal-mlp"))
    client.force_login(alice)
    job_page = f"/portal/jobs/{job.pk}/"
    assert "List on the public leaderboard" in client.get(job_page).content.decode()
    client.post(f"{job_page}leaderboard/", {"listed": "on", "display_name": "Team X"})
    assert "Take it off the leaderboard" in client.get(job_page).content.decode()
    client.logout()
    page = client.get("/leaderboard/").content.decode()
    assert "Team X" in page and "someone/model" in page and "alice@example.com" not in page


def test_cli_joins_shows_and_leaves(alice, bob, token_for, wsgi_transport, capsys):
    job = published(stored_job(alice))
    base = ["--url", HUB_URL, "--token", token_for(alice)]
    assert main([*base, "leaderboard", "join", str(job.pk), "--name", "cli-lab"],
                transport=wsgi_transport) == EXIT_OK  # fmt: skip
    assert main([*base, "leaderboard", "show", "--json"], transport=wsgi_transport) == EXIT_OK
    out = capsys.readouterr().out
    board = json.loads(out[out.index("{") :])
    assert board["datasets"][0]["entries"][0]["display_name"] == "cli-lab"
    assert main([*base, "leaderboard", "show"], transport=wsgi_transport) == EXIT_OK
    assert "cli-lab" in capsys.readouterr().out
    bobs = ["--url", HUB_URL, "--token", token_for(bob)]
    assert main([*bobs, "leaderboard", "leave", str(job.pk)], transport=wsgi_transport) == (
        EXIT_NOT_FOUND
    )
    assert main([*base, "leaderboard", "leave", str(job.pk)], transport=wsgi_transport) == EXIT_OK
    assert leaderboard()["datasets"] == []
