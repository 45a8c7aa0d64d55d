"""Submitting a run's output to a Kaggle competition: upload, create, follow the score
until Kaggle has it, and the competition card showing it; clear errors for rules not
accepted and unknown competitions, on REST, the SDK/CLI and the service."""

import pytest

from asthub_client import Client
from asthub_client.cli import main
from jobs.models import CompetitionSubmission, JobStatus
from jobs.reports import create_model_card
from tests.kaggle.conftest import launched, sweep

pytestmark = pytest.mark.django_db

PREDICTIONS = b"PassengerId,Survived\n892,0\n893,1\n894,0\n"
SUBMISSIONS = "/api/v1/competitions/submissions/"


@pytest.fixture(scope="module")
def engine_outputs(tmp_path_factory) -> dict[str, bytes]:
    """What the engine really leaves after a short run (its log lines are metrics.jsonl's)."""
    from jobs.spec import JobSpec
    from jobs.training import train

    out = tmp_path_factory.mktemp("engine")
    train(JobSpec(epochs=2).engine_config(), str(out))
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


@pytest.fixture
def finished_run(kaggle_alice, kaggle_fake, hub, engine_outputs):
    job, run = launched(kaggle_alice, hub, kaggle_fake)
    run.start()
    for line in engine_outputs["metrics.jsonl"].decode().splitlines():
        run.emit(f"AST_METRIC {line}\n")
    run.finish({**engine_outputs, "submission.csv": PREDICTIONS})
    sweep()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    return job


@pytest.fixture
def titanic(kaggle_fake):
    return kaggle_fake.add_competition(
        "titanic", accepted={"alice-kg"}, scoring_seconds=0.3, score=lambda data: "0.78468"
    )


def test_submission_is_uploaded_created_and_scored(
    kaggle_alice, finished_run, titanic, kaggle_fake, hub, api_as
):
    body = {"run_id": finished_run.pk, "competition": "titanic", "file": "submission.csv",
            "message": "AST mlp"}  # fmt: skip
    with hub(execute=True):
        created = api_as(kaggle_alice).post(SUBMISSIONS, body, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "pending"
    answer = api_as(kaggle_alice).get(f"{SUBMISSIONS}{created.json()['id']}/").json()
    assert answer["status"] == "complete" and answer["public_score"] == "0.78468"
    [stored] = kaggle_fake.submissions.values()
    assert stored.data == PREDICTIONS and stored.description == "AST mlp"
    assert {s.user for s in kaggle_fake.seen if s.route.endswith("Submission")} == {"alice-kg"}
    listed = api_as(kaggle_alice).get(f"{SUBMISSIONS}?job={finished_run.pk}").json()
    assert [row["id"] for row in listed["results"]] == [answer["id"]]


def test_competition_card_shows_the_public_score(kaggle_alice, finished_run, titanic, hub):
    from jobs.competitions import submit_to_competition

    before = create_model_card(user=kaggle_alice, run_id=finished_run.pk, template="competition")
    assert "Kaggle public score" not in before.markdown
    with hub(execute=True):
        submit_to_competition(
            user=kaggle_alice, run_id=finished_run.pk, competition="titanic", file="submission.csv"
        )
    card = create_model_card(user=kaggle_alice, run_id=finished_run.pk, template="competition")
    assert "Kaggle public score on [titanic]" in card.markdown and "**0.78468**" in card.markdown


def test_rules_not_accepted_is_a_clear_403(kaggle_alice, finished_run, kaggle_fake, api_as):
    kaggle_fake.add_competition("spaceship-titanic")
    body = {"run_id": finished_run.pk, "competition": "spaceship-titanic", "file": "submission.csv"}
    answer = api_as(kaggle_alice).post(SUBMISSIONS, body, format="json")
    assert answer.status_code == 403
    message = answer.json()["error"]["message"]
    assert "accept the competition's rules" in message
    assert "https://www.kaggle.com/competitions/spaceship-titanic/rules" in message
    assert not CompetitionSubmission.objects.exists()


def test_unknown_competition_is_a_clear_404(kaggle_alice, finished_run, api_as):
    body = {"run_id": finished_run.pk, "competition": "no-such-thing", "file": "submission.csv"}
    answer = api_as(kaggle_alice).post(SUBMISSIONS, body, format="json")
    assert answer.status_code == 404
    assert "Kaggle has no competition 'no-such-thing'" in answer.json()["error"]["message"]


def test_unknown_file_lists_the_runs_outputs(kaggle_alice, finished_run, titanic, api_as):
    body = {"run_id": finished_run.pk, "competition": "titanic", "file": "preds.csv"}
    answer = api_as(kaggle_alice).post(SUBMISSIONS, body, format="json")
    assert answer.status_code == 404
    assert "submission.csv" in answer.json()["error"]["message"]


def test_bob_cannot_submit_alices_run_or_see_her_submission(
    kaggle_alice, bob, finished_run, titanic, hub, api_as
):
    body = {"run_id": finished_run.pk, "competition": "titanic", "file": "submission.csv"}
    assert api_as(bob).post(SUBMISSIONS, body, format="json").status_code == 404
    with hub(execute=True):
        created = api_as(kaggle_alice).post(SUBMISSIONS, body, format="json").json()
    assert api_as(bob).get(f"{SUBMISSIONS}{created['id']}/").status_code == 404
    assert api_as(bob).get(SUBMISSIONS).json()["results"] == []


def test_submitting_a_running_job_is_a_conflict(kaggle_alice, kaggle_fake, hub, titanic, api_as):
    job, _ = launched(kaggle_alice, hub, kaggle_fake)
    body = {"run_id": job.pk, "competition": "titanic", "file": "submission.csv"}
    answer = api_as(kaggle_alice).post(SUBMISSIONS, body, format="json")
    assert answer.status_code == 409 and "succeeded run" in answer.json()["error"]["message"]


def test_cli_submits_and_the_sdk_waits_for_the_score(
    kaggle_alice, finished_run, titanic, hub, token_for, capsys, hub_transport
):
    transport = hub_transport
    token = token_for(kaggle_alice)
    argv = ["--url", "http://testserver", "--token", token]
    with hub(execute=True):
        code = main([*argv, "submit", str(finished_run.pk), "titanic", "submission.csv"],
                    transport=transport)  # fmt: skip
    assert code == 0
    assert "is waiting for its score" in capsys.readouterr().out
    client = Client(url="http://testserver", token=token, transport=transport)
    [submission] = client._paginate(SUBMISSIONS, {})
    assert client.wait_submission(submission["id"], timeout=5)["public_score"] == "0.78468"
    rules = main([*argv, "submit", str(finished_run.pk), "house-prices", "submission.csv"],
                 transport=transport)  # fmt: skip
    assert rules != 0
    assert "Kaggle has no competition 'house-prices'" in capsys.readouterr().err


def test_portal_submits_from_the_job_page_and_shows_the_score(
    kaggle_alice, finished_run, titanic, hub, client
):
    client.force_login(kaggle_alice)
    page = client.get(f"/portal/jobs/{finished_run.pk}/").content.decode()
    assert 'id="competition"' in page and '<option value="submission.csv" selected>' in page
    with hub(execute=True):
        answer = client.post(
            f"/portal/jobs/{finished_run.pk}/submit/",
            {"competition": "titanic", "file": "submission.csv", "message": "from the portal"},
            follow=True,
        )
    assert "Submitted submission.csv to titanic" in answer.content.decode()
    # The worker has followed it since (on commit): the job page shows Kaggle's score.
    html = client.get(f"/portal/jobs/{finished_run.pk}/").content.decode()
    assert "0.78468" in html and "Scored" in html
    assert CompetitionSubmission.objects.get().message == "from the portal"


def test_portal_submission_of_a_file_the_run_lacks_changes_nothing(
    kaggle_alice, finished_run, titanic, hub, client
):
    client.force_login(kaggle_alice)
    answer = client.post(
        f"/portal/jobs/{finished_run.pk}/submit/",
        {"competition": "titanic", "file": "nope.csv"},
        follow=True,
    )
    assert answer.status_code == 200
    assert "has no output named &#x27;nope.csv&#x27;" in answer.content.decode()
    assert not CompetitionSubmission.objects.exists()


def test_portal_cannot_submit_another_users_run(kaggle_bob, finished_run, titanic, client):
    client.force_login(kaggle_bob)
    answer = client.post(
        f"/portal/jobs/{finished_run.pk}/submit/",
        {"competition": "titanic", "file": "submission.csv"},
        follow=True,
    )
    assert f"No job {finished_run.pk}" in answer.content.decode() or answer.status_code == 404
    assert not CompetitionSubmission.objects.exists()
