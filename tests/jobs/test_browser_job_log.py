"""The job page's Log card in a real browser: the tail of the engine's log, new lines as
the run writes them, kept scrolled to the bottom, and "complete" once the run has ended;
no CSP refusal (the `browser` fixture)."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import browser, save_screenshot, signed_in_page  # noqa: F401  (fixture)
from tests.conftest import PASSWORD
from tests.live_hub import manage
from tests.mcp.conftest import hub  # noqa: F401 (the session's shared hub)

pytestmark = pytest.mark.slow

MAKE = f"""
import json
from django.utils import timezone
from accounts.services import sign_up
from jobs.models import JobStatus, TrainingJob
from jobs.platforms.local.folders import LOG_FILE, job_dir
from tests.sharing.factories import stored_job
user = sign_up(email="logs@example.com", password="{PASSWORD}")
job = stored_job(user, status=JobStatus.RUNNING, epochs=3, epochs_done=1)
now = timezone.now()
TrainingJob.objects.filter(pk=job.pk).update(
    started_at=now - timezone.timedelta(minutes=4), heartbeat_at=now, finished_at=None
)
job_dir(job.pk).mkdir(parents=True, exist_ok=True)
log = job_dir(job.pk) / LOG_FILE
log.write_text("".join(f"loading digits: batch {{i}}\\n" for i in range(300)) + "epoch 1/3\\n")
print(json.dumps({{"job": job.pk, "log": str(log)}}))
"""
FINISH = """
from django.utils import timezone
from jobs.models import JobStatus, TrainingJob
TrainingJob.objects.filter(pk={job}).update(status=JobStatus.SUCCEEDED, finished_at=timezone.now())
"""


def test_the_log_card_follows_the_run_and_stops_when_it_is_complete(hub, browser):  # noqa: F811
    made = json.loads(manage(hub["env"], "shell", "-c", MAKE).strip().splitlines()[-1])
    page = signed_in_page(browser, hub["base_url"], "logs@example.com", PASSWORD)
    page.goto(f"{hub['base_url']}/portal/jobs/{made['job']}/")

    lines = page.locator("#job-log-lines")
    expect(lines).to_contain_text("epoch 1/3", timeout=15_000)
    assert "so far" in page.inner_text("#job-times")
    with open(Path(made["log"]), "a") as log:
        log.write("epoch 2/3\n")
    expect(lines).to_contain_text("epoch 2/3", timeout=15_000)
    expect(page.locator("#job-log-state")).to_contain_text("following")
    at_bottom = "(el) => el.scrollHeight - el.scrollTop - el.clientHeight < 24"
    assert lines.evaluate(at_bottom)

    with open(Path(made["log"]), "a") as log:
        log.write("epoch 3/3\nsaved model.safetensors\n")
    manage(hub["env"], "shell", "-c", FINISH.format(job=made["job"]))
    expect(page.locator("#job-log-state")).to_contain_text("complete", timeout=20_000)
    text = lines.inner_text()
    assert text.count("epoch 2/3") == 1 and text.rstrip().endswith("saved model.safetensors")
    save_screenshot(page, "job_log")
