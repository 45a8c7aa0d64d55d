"""A run's log over REST: the tail, following with a cursor, another tenant's job, bad
input, redaction; local runs read the engine.log their worker writes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from billing.services import change_plan
from jobs import services
from jobs.models import JobStatus, TrainingJob
from jobs.platforms.local.folders import LOG_FILE, job_dir
from jobs.platforms.local.log_file import read_engine_log
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_dir(settings, tmp_path):
    settings.LOCAL_JOBS_DIR = tmp_path / "jobs"


def _local_job(user, status=JobStatus.RUNNING):
    job = services.start_training(user=user, spec=JobSpec.from_dict(FAST))
    TrainingJob.objects.filter(pk=job.pk).update(status=status)
    return job


def _write_log(job_id: int, text: str, mode: str = "w") -> None:
    folder = job_dir(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOG_FILE, mode) as handle:
        handle.write(text)


def _logs(api, job_id, **params):
    return api.get(f"/api/v1/jobs/{job_id}/logs", params)


def test_tail_answers_the_last_lines_of_the_engine_log(alice, api_as):
    job = _local_job(alice)
    _write_log(job.pk, "".join(f"line {i}\n" for i in range(300)))
    body = _logs(api_as(alice), job.pk, tail=5).json()
    assert body == {
        "job_id": job.pk,
        "lines": [f"line {i}" for i in range(295, 300)],
        "cursor": "300",
        "complete": False,
        "source": "engine",
    }
    default = _logs(api_as(alice), job.pk).json()
    assert default["lines"][0] == "line 100" and len(default["lines"]) == 200


def test_following_with_the_cursor_gets_each_line_once_until_complete(alice, api_as):
    api = api_as(alice)
    job = _local_job(alice)
    _write_log(job.pk, "epoch 1\nepoch 2 half")  # the second line has no newline yet
    first = _logs(api, job.pk).json()
    assert first["lines"] == ["epoch 1"] and first["complete"] is False

    again = _logs(api, job.pk, after=first["cursor"]).json()
    assert again["lines"] == [] and again["cursor"] == first["cursor"]

    _write_log(job.pk, " done\nepoch 3\r\n", mode="a")
    second = _logs(api, job.pk, after=first["cursor"]).json()
    assert second["lines"] == ["epoch 2 half done", "epoch 3"] and not second["complete"]

    _write_log(job.pk, "saved model", mode="a")  # the engine's last words, no newline
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.SUCCEEDED)
    last = _logs(api, job.pk, after=second["cursor"]).json()
    assert last["lines"] == ["saved model"] and last["complete"] is True
    assert _logs(api, job.pk, after=last["cursor"]).json() == last | {"lines": []}


def test_a_follower_far_behind_gets_the_next_lines_in_pages(alice, api_as):
    api = api_as(alice)
    job = _local_job(alice, status=JobStatus.FAILED)
    _write_log(job.pk, "".join(f"{i}\n" for i in range(10)))
    page = _logs(api, job.pk, after=2, tail=3).json()
    assert page["lines"] == ["2", "3", "4"] and page["cursor"] == "5"
    assert page["complete"] is False  # more to read, though the run has ended
    rest = _logs(api, job.pk, after=5, tail=100).json()
    assert rest["lines"] == ["5", "6", "7", "8", "9"] and rest["complete"] is True


def test_a_run_without_a_log_yet_answers_no_lines(alice, api_as):
    job = _local_job(alice, status=JobStatus.QUEUED)
    body = _logs(api_as(alice), job.pk).json()
    assert body["lines"] == [] and body["cursor"] == "0" and body["complete"] is False


def test_another_tenants_job_is_not_found(alice, bob, api_as):
    job = _local_job(alice)
    _write_log(job.pk, "alice's secret dataset path\n")
    response = _logs(api_as(bob), job.pk)
    assert response.status_code == 404
    assert "secret" not in response.content.decode()
    assert _logs(api_as(alice), 987654).status_code == 404


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"tail": "0"}, "tail"),
        ({"tail": "2001"}, "tail"),
        ({"tail": "ten"}, "tail"),
        ({"after": "-1"}, "after"),
        ({"after": "abc"}, "after"),
        ({"after": "9" * 40}, "after"),
    ],
)
def test_bad_tail_or_cursor_is_a_400_naming_it(alice, api_as, params, named):
    job = _local_job(alice)
    response = _logs(api_as(alice), job.pk, **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {named: ["invalid"]} and named in error["message"]


def test_a_token_without_jobs_read_is_refused(alice, api_as):
    job = _local_job(alice)
    assert _logs(api_as(alice, scopes=["jobs:write"]), job.pk).status_code == 403


def test_secrets_are_redacted_and_long_lines_cut(alice, api_as):
    job = _local_job(alice)
    hub_token = "asthub_" + "A" * 43
    hf_token = "hf_" + "b" * 34
    _write_log(
        job.pk,
        f"token {hub_token}\nlogin {hf_token}\n" + "x" * 5000 + "\n" + "10%\r50%\r100%\n",
    )
    lines = _logs(api_as(alice), job.pk).json()["lines"]
    assert lines[0] == "token asthub_[redacted]"
    assert lines[1] == "login hf_[redacted]"
    assert len(lines[2]) == 2000 and lines[2].endswith("…")
    assert lines[3] == "100%"  # a progress bar shows its last state


def test_a_long_local_log_is_read_from_its_end_with_true_line_numbers(settings, tmp_path):
    settings.LOCAL_JOBS_DIR = tmp_path
    _write_log(7, "".join(f"line {i:04d}\n" for i in range(1000)))  # 10 bytes a line
    log = read_engine_log(7, max_bytes=95)  # starts mid-line 990
    assert log.skipped_lines == 991
    assert log.text.splitlines() == [f"line {i:04d}" for i in range(991, 1000)]
    assert read_engine_log(7, max_bytes=100).skipped_lines == 990  # at a line start


def test_the_job_page_shows_the_log_card_and_run_times(alice, client):
    change_plan(user=alice, plan="pro")
    client.force_login(alice)
    running = _local_job(alice)
    TrainingJob.objects.filter(pk=running.pk).update(
        started_at=timezone.now() - timedelta(hours=2, seconds=5)
    )
    response = client.get(f"/portal/jobs/{running.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="job-log"' in page and f'data-logs-url="/api/v1/jobs/{running.pk}/logs"' in page
    assert "asthub/job_log.js" in page
    assert '<span id="job-duration">2 h 00 min</span> so far' in page
    assert "· finished" not in _times_of(page)

    started = datetime(2026, 11, 24, 10, 0, 0, tzinfo=UTC)
    done = _local_job(alice, status=JobStatus.SUCCEEDED)
    TrainingJob.objects.filter(pk=done.pk).update(
        started_at=started, finished_at=started + timedelta(minutes=3, seconds=5)
    )
    times = _times_of(client.get(f"/portal/jobs/{done.pk}/").content.decode())
    assert "started 2026-11-24 10:00:00 UTC" in times
    assert "finished 2026-11-24 10:03:05 UTC" in times
    assert '<span id="job-duration">3 min 05 s</span>' in times and "so far" not in times

    queued = _local_job(alice, status=JobStatus.QUEUED)
    assert "not started yet" in _times_of(client.get(f"/portal/jobs/{queued.pk}/").content.decode())


def _times_of(page: str) -> str:
    start = page.index('<span id="job-times"')
    return page[start : page.index("</p>", start)]
