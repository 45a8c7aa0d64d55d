"""Operators see training jobs and what hangs off them in the admin console, read-only,
and act on them only through the services: cancel, revoke a share link, unlist."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEvent
from jobs import services, state
from jobs.models import (
    CompetitionSubmission,
    JobStatus,
    LeaderboardEntry,
    MetricPoint,
    ModelCard,
    Publication,
    ShareToken,
    Sweep,
    TrainingJob,
)
from jobs.sharing.services import create_share_token
from jobs.spec import JobSpec
from tests.jobs.conftest import FAST

pytestmark = pytest.mark.django_db

JOBS = "/admin/jobs/trainingjob/"


def _job_row(owner, **fields) -> TrainingJob:
    """A job row as the state machine would leave it, without starting anything."""
    return TrainingJob(
        owner=owner,
        dataset=fields.pop("dataset", "digits"),
        model="mlp",
        epochs=3,
        batch_size=128,
        learning_rate=0.01,
        config=fields.pop("config", {"dataset": "digits"}),
        engine_version="test",
        script_sha256="0" * 64,
        slot_period=timezone.now().date().replace(day=1),
        **fields,
    )


def _running_local_job(owner) -> TrainingJob:
    job = services.start_training(user=owner, spec=JobSpec.from_dict(FAST))
    state.transition(job.pk, JobStatus.LAUNCHING)
    state.transition(job.pk, JobStatus.RUNNING)
    return job


def _listed_ids(response) -> set[int]:
    return {job.pk for job in response.context["cl"].result_list}


def test_job_list_filters_by_status_platform_and_owner(client, operator, alice, bob):
    running = _job_row(alice, name="alice-running", status=JobStatus.RUNNING)
    kaggle = _job_row(alice, name="alice-kaggle", platform="kaggle", status=JobStatus.FAILED)
    bobs = _job_row(bob, name="bob-queued", status=JobStatus.QUEUED)
    TrainingJob.objects.bulk_create([running, kaggle, bobs])
    client.force_login(operator)

    assert _listed_ids(client.get(JOBS, {"status__exact": "running"})) == {running.pk}
    assert _listed_ids(client.get(JOBS, {"platform__exact": "kaggle"})) == {kaggle.pk}
    assert _listed_ids(client.get(JOBS, {"owner__id__exact": bob.pk})) == {bobs.pk}
    assert _listed_ids(client.get(JOBS, {"q": "bob@example.com"})) == {bobs.pk}
    assert _listed_ids(client.get(JOBS, {"q": str(kaggle.pk)})) == {kaggle.pk}
    assert "bob@example.com" in client.get(JOBS).content.decode()


def test_job_detail_shows_config_and_failure_reason_read_only(client, operator, alice):
    job = _job_row(
        alice,
        status=JobStatus.FAILED,
        failure_reason="CUDA out of memory on epoch 2",
        config={"dataset": "digits", "target_activation": 0.4},
    )
    job.save()
    MetricPoint.objects.create(job=job, epoch=1, data={"val_accuracy": 0.91})
    client.force_login(operator)

    response = client.get(f"{JOBS}{job.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "CUDA out of memory on epoch 2" in page
    assert "&quot;target_activation&quot;: 0.4" in page  # indented JSON, escaped
    assert "0.91" in page  # the metric point inline
    assert 'name="_save"' not in page and "<textarea" not in page
    client.post(f"{JOBS}{job.pk}/change/", {"status": "succeeded", "failure_reason": ""})
    job.refresh_from_db()
    assert (job.status, job.failure_reason) == ("failed", "CUDA out of memory on epoch 2")


def test_cancel_action_cancels_through_the_service_and_audits_the_operator(client, operator, alice):
    job = _running_local_job(alice)
    client.force_login(operator)

    response = client.post(
        JOBS, {"action": "cancel_jobs", "_selected_action": [job.pk]}, follow=True
    )

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.finished_at is not None
    assert AuditEvent.objects.get(action="job.cancelled").user == alice
    by_operator = AuditEvent.objects.get(action="job.cancelled_by_operator")
    assert (by_operator.user, by_operator.actor) == (alice, operator)
    assert by_operator.detail["status_before"] == "running"
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [f"Job {job.pk} cancelled."]


def test_cancel_action_reports_an_already_ended_job_without_error(client, operator, alice):
    ended = _job_row(alice, status=JobStatus.SUCCEEDED)
    ended.save()
    client.force_login(operator)

    response = client.post(
        JOBS, {"action": "cancel_jobs", "_selected_action": [ended.pk]}, follow=True
    )

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    refusal = f"Job {ended.pk} already succeeded; nothing to cancel."
    assert messages == [f"Job {ended.pk} not cancelled: {refusal}"]
    assert not AuditEvent.objects.filter(action="job.cancelled_by_operator").exists()


def test_a_view_only_operator_gets_no_cancel_action(client, alice, operator):
    operator.is_superuser = False
    operator.save()
    operator.user_permissions.add(*_permissions("view_trainingjob"))
    job = _running_local_job(alice)
    client.force_login(operator)

    listing = client.get(JOBS)
    client.post(JOBS, {"action": "cancel_jobs", "_selected_action": [job.pk]})

    assert listing.status_code == 200 and "cancel_jobs" not in listing.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def _permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="jobs", codename__in=codenames)


@pytest.mark.parametrize(
    "page",
    [
        JOBS,
        "/admin/jobs/publication/",
        "/admin/jobs/sharetoken/",
        "/admin/jobs/sweep/",
        "/admin/jobs/leaderboardentry/",
        "/admin/jobs/competitionsubmission/",
    ],
)
def test_non_staff_get_the_admin_login_never_the_data(client, alice, page):
    _job_row(alice, name="private-run-name").save()
    client.force_login(alice)
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_every_jobs_admin_page_renders_read_only_for_an_operator(client, operator, alice):
    sweep = Sweep.objects.create(owner=alice, name="lr sweep", spec={}, grid={"lr": [0.1, 0.2]})
    job = _job_row(alice, status=JobStatus.SUCCEEDED, sweep=sweep)
    job.save()
    rows = [
        sweep,
        Publication.objects.create(
            owner=alice, job=job, source_platform="local", target_platform="huggingface",
            files=["model.safetensors"], status="succeeded",
        ),
        CompetitionSubmission.objects.create(
            owner=alice, job=job, competition="digit-recognizer", file_name="submission.csv",
        ),
        ModelCard.objects.create(job=job, template="sustainability", markdown="# Card"),
        LeaderboardEntry.objects.create(job=job, display_name="alice"),
    ]  # fmt: skip
    client.force_login(operator)

    for row in rows:
        base = f"/admin/jobs/{row._meta.model_name}/"
        listing = client.get(base)
        detail = client.get(f"{base}{row.pk}/change/")
        assert (listing.status_code, detail.status_code) == (200, 200), base
        assert "alice@example.com" in listing.content.decode(), base
        assert 'name="_save"' not in detail.content.decode(), base
        assert client.get(f"{base}add/").status_code == 403, base


def test_share_link_admin_never_shows_the_secret(client, operator, alice):
    job = _job_row(alice, status=JobStatus.SUCCEEDED)
    job.save()
    share, raw = create_share_token(user=alice, job_ids=[job.pk], label="paper")
    client.force_login(operator)

    listing = client.get("/admin/jobs/sharetoken/").content.decode()
    detail = client.get(f"/admin/jobs/sharetoken/{share.pk}/change/").content.decode()

    for page in (listing, detail):
        assert raw not in page and share.digest not in page
        assert share.masked in page


def test_revoke_share_links_goes_through_the_service(client, operator, alice):
    job = _job_row(alice, status=JobStatus.SUCCEEDED)
    job.save()
    share, _ = create_share_token(user=alice, job_ids=[job.pk])
    client.force_login(operator)

    client.post(
        "/admin/jobs/sharetoken/", {"action": "revoke_links", "_selected_action": [share.pk]}
    )

    assert ShareToken.objects.get(pk=share.pk).revoked_at is not None
    assert AuditEvent.objects.get(action="share.revoked").user == alice
    assert AuditEvent.objects.get(action="share.revoked_by_operator").actor == operator


def test_unlisting_a_leaderboard_entry_goes_through_the_service(client, operator, alice):
    job = _job_row(alice, status=JobStatus.SUCCEEDED)
    job.save()
    entry = LeaderboardEntry.objects.create(job=job, display_name="alice")
    client.force_login(operator)

    client.post(
        "/admin/jobs/leaderboardentry/", {"action": "unlist", "_selected_action": [entry.pk]}
    )

    assert not LeaderboardEntry.objects.exists()
    assert AuditEvent.objects.get(action="leaderboard.unlisted").user == alice
    assert AuditEvent.objects.get(action="leaderboard.unlisted_by_operator").actor == operator


def test_job_list_queries_do_not_grow_with_rows(
    client, operator, alice, bob, django_assert_max_num_queries
):
    TrainingJob.objects.bulk_create([_job_row(alice)])
    client.force_login(operator)
    with CaptureQueriesContext(connection) as one_row:
        assert client.get(JOBS).status_code == 200

    owners = [alice, bob, operator]
    TrainingJob.objects.bulk_create([_job_row(owners[i % 3], name=f"run {i}") for i in range(199)])
    with django_assert_max_num_queries(len(one_row)):
        response = client.get(JOBS, {"all": ""})
    assert response.status_code == 200 and len(response.context["cl"].result_list) == 200
