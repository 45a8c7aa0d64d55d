"""Portal pages for jobs: list, new-job form, job page, compare and model-card preview."""

import pytest

from billing.services import change_plan
from jobs.models import TrainingJob

pytestmark = pytest.mark.django_db

NEW_JOB_FORM = {
    "platform": "local",
    "dataset": "digits",
    "model": "mlp",
    "epochs": "3",
    "batch_size": "128",
    "learning_rate": "0.001",
    "seed": "0",
    "target_activation_rate": "0.4",
    "entropy_weight": "0.3",
    "warmup_epochs": "1",
    "selection": "threshold",
}


def test_new_job_form_starts_a_job_and_shows_its_page(client, alice):
    client.force_login(alice)
    response = client.post("/portal/jobs/new/", NEW_JOB_FORM, follow=True)
    job = TrainingJob.objects.get(owner=alice)
    assert response.redirect_chain[-1][0] == f"/portal/jobs/{job.pk}/"
    page = response.content.decode()
    assert "queued" in page and f"/api/v1/jobs/{job.pk}/events" not in page  # JS builds it
    assert 'id="chart-accuracy"' in page and "job_live.js" in page
    assert job.ast_config["target_activation_rate"] == 0.4


def test_new_job_form_shows_quota_errors(client, alice):
    client.force_login(alice)
    client.post("/portal/jobs/new/", NEW_JOB_FORM)
    second = client.post("/portal/jobs/new/", NEW_JOB_FORM | {"with_baseline": "on"})
    assert "1 job(s) at a time" in second.content.decode()
    assert TrainingJob.objects.count() == 1


def test_job_list_filters_by_status(client, alice):
    change_plan(user=alice, plan="pro")
    client.force_login(alice)
    for _ in range(2):
        client.post("/portal/jobs/new/", NEW_JOB_FORM)
    first = TrainingJob.objects.order_by("id").first()
    TrainingJob.objects.filter(pk=first.pk).update(status="failed")
    page = client.get("/portal/jobs/?status=failed").content.decode()
    assert f"/portal/jobs/{first.pk}/" in page
    assert page.count('class="status ') == 1


def test_cancel_and_rerun_buttons(client, alice):
    change_plan(user=alice, plan="pro")
    client.force_login(alice)
    client.post("/portal/jobs/new/", NEW_JOB_FORM)
    job = TrainingJob.objects.get()
    client.post(f"/portal/jobs/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == "cancelled"
    rerun = client.post(f"/portal/jobs/{job.pk}/rerun/", follow=True)
    assert "identical to job" in rerun.content.decode()
    assert TrainingJob.objects.filter(rerun_of=job).count() == 1


def test_compare_page_shows_table_and_latex(client, alice, eager_tasks):
    client.force_login(alice)
    with eager_tasks(execute=True):
        client.post("/portal/jobs/new/", NEW_JOB_FORM | {"epochs": "2"})
    job = TrainingJob.objects.get()
    page = client.get(f"/portal/compare/?ast_run_id={job.pk}").content.decode()
    assert 'id="comparison"' in page and "\\begin{tabular}" in page
    assert "estimated" in page


def test_model_card_preview_generates_and_shows_markdown(client, alice, eager_tasks):
    client.force_login(alice)
    with eager_tasks(execute=True):
        client.post("/portal/jobs/new/", NEW_JOB_FORM | {"epochs": "2"})
    job = TrainingJob.objects.get()
    page = client.post(f"/portal/jobs/{job.pk}/card/", {"template": "standard"}, follow=True)
    text = page.content.decode()
    assert "co2_eq_emissions" in text and "accuracy.png" in text


def test_another_tenants_job_pages_are_404(client, alice, bob):
    client.force_login(alice)
    client.post("/portal/jobs/new/", NEW_JOB_FORM)
    job = TrainingJob.objects.get()
    client.force_login(bob)
    assert client.get(f"/portal/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/portal/jobs/{job.pk}/card/").status_code == 404
    client.post(f"/portal/jobs/{job.pk}/cancel/")
    job.refresh_from_db()
    assert job.status == "queued"
    assert f"/portal/jobs/{job.pk}/" not in client.get("/portal/jobs/").content.decode()


def test_compare_of_unknown_run_is_a_form_error(client, alice):
    client.force_login(alice)
    page = client.get("/portal/compare/?ast_run_id=999")
    assert page.status_code == 200 and "No training job 999" in page.content.decode()
