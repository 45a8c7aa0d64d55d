"""The public share page in a real browser: charts drawn from the first answer, then
updated as new epochs arrive, by polling the share link's read API; a revoked link stops."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser import browser  # noqa: F401  (fixture)
from tests.live_hub import manage
from tests.mcp.conftest import hub  # noqa: F401 (the session's shared hub)

pytestmark = pytest.mark.slow

MAKE = """
from accounts.services import sign_up
from jobs.models import JobStatus
from jobs.sharing.services import create_share_token
from tests.sharing.factories import stored_job
alice = sign_up(email="sharer@example.com", password="a long passphrase 123")
job = stored_job(alice, name="live-run", status=JobStatus.RUNNING, epochs=5, epochs_done=2)
share, raw = create_share_token(user=alice, job_ids=[job.pk], label="watch me")
print(json.dumps({"job": job.pk, "share": share.pk, "raw": raw}))
"""
ADD_EPOCH = """
from jobs.models import MetricPoint
from jobs.runs.metrics import record_metric
last = MetricPoint.objects.filter(job_id={job}).order_by("-epoch").first().data
record_metric(job_id={job}, point=last | {{"epoch": 3, "val_accuracy": 0.97}})
"""
REVOKE = """
from accounts.models import User
from jobs.sharing.services import revoke_share_token
revoke_share_token(user=User.objects.get(email="sharer@example.com"), share_id={share})
"""


def test_public_share_page_follows_the_run_until_revoked(hub, browser):  # noqa: F811
    env = hub["env"]
    made = json.loads(manage(env, "shell", "-c", "import json\n" + MAKE).strip().splitlines()[-1])
    page = browser.new_page()
    page.goto(f"{hub['base_url']}/share/{made['raw']}/")
    card = page.locator(f'[data-job-id="{made["job"]}"]')
    assert "watch me" in page.content() and "live-run" in page.content()
    assert card.locator('[data-field="epoch"]').inner_text() == "2 / 5"
    manage(env, "shell", "-c", ADD_EPOCH.format(job=made["job"]))
    # (A locator wait: a string predicate would be an eval, which the page's CSP forbids.)
    expect(card.locator('[data-field="epoch"]')).to_have_text("3 / 5", timeout=30_000)
    assert card.locator('[data-field="accuracy"]').inner_text() == "0.970"
    manage(env, "shell", "-c", REVOKE.format(share=made["share"]))
    page.wait_for_selector("text=This share link was revoked.", timeout=30_000)
    assert "sharer@example.com" not in page.content()
    # The page and its event stream were requested by the token's URL, and uvicorn logged
    # each request; the log keeps the path without the token.
    log = hub["log"].read_text()
    assert "/share/asthub_share_[redacted]/" in log
    assert made["raw"] not in log and made["raw"][len("asthub_share_") :] not in log
