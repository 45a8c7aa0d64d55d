"""A paired AST run read in a real browser: the job page, the runs table, compare and the
model card all state the same energy saving, measured against the same baseline run, in
units a person reads; the admin lists the runs for an operator. Screenshots land in
var/screenshots/."""

import json
import re
import time

import httpx
import pytest

from tests.browser import browser, save_screenshot, signed_in_page  # noqa: F401  (fixture)
from tests.live_hub import manage
from tests.mcp.conftest import hub  # noqa: F401  (the session's shared hub)

pytestmark = pytest.mark.slow

PASSWORD = "a long passphrase 123"
MAKE_USERS = """
import json
from django.contrib.auth import get_user_model
from accounts.services import sign_up, create_token
from billing.services import change_plan
user = sign_up(email="tour@example.com", password="a long passphrase 123")
change_plan(user=user, plan="pro")
token = create_token(user=user, name="tour", scopes=["jobs:read", "jobs:write", "models:write"])[1]
get_user_model().objects.create_superuser("ops-tour@example.com", "a long passphrase 123")
print(json.dumps({"token": token}))
"""


@pytest.fixture(scope="module")
def tour(hub):  # noqa: F811
    made = json.loads(manage(hub["env"], "shell", "-c", MAKE_USERS).strip().splitlines()[-1])
    client = httpx.Client(
        base_url=hub["base_url"], headers={"Authorization": f"Bearer {made['token']}"}, timeout=30
    )
    yield {"api": client, "base_url": hub["base_url"]}
    client.close()


def _finished_pair(api: httpx.Client) -> tuple[int, int]:
    started = api.post(
        "/api/v1/jobs/",
        json={"dataset": "digits", "model": "mlp", "epochs": 4, "with_baseline": True},
    )
    assert started.status_code == 201, started.text
    ast_id = started.json()["job_id"]
    baseline_id = started.json()["baseline_job_id"]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        statuses = {api.get(f"/api/v1/jobs/{i}/").json()["status"] for i in (ast_id, baseline_id)}
        if statuses == {"succeeded"}:
            return ast_id, baseline_id
        assert not statuses & {"failed", "cancelled"}, statuses
        time.sleep(1)
    raise AssertionError("the paired runs did not finish in time")


def test_a_paired_run_states_one_energy_saving_on_the_job_page_compare_and_card(
    tour,
    browser,  # noqa: F811
):
    ast_id, baseline_id = _finished_pair(tour["api"])
    compared = tour["api"].post(
        "/api/v1/compare/", json={"ast_run_id": ast_id, "baseline_run_id": baseline_id}
    )
    assert compared.status_code == 200, compared.text
    saving = compared.json()["energy_savings"]
    basis = f"measured against baseline run #{baseline_id}"
    assert compared.json()["energy_basis"] == basis
    shown = f"{saving * 100:.1f} %"

    page = signed_in_page(browser, tour["base_url"], "tour@example.com", PASSWORD)
    page.goto(f"{tour['base_url']}/portal/jobs/{ast_id}/")
    figure = page.inner_text("#fig-energy")
    assert shown in figure and basis in figure
    used = page.inner_text("#fig-energy-used")
    assert re.search(r"\d (J|Wh|kWh) ", used) and "estimated" in used
    assert not re.search(r"\de-\d|0\.0000", page.inner_text("dl.figures"))
    save_screenshot(page, "job_energy")

    # The runs table stores the same figure, refreshed whichever of the pair ends last.
    page.goto(f"{tour['base_url']}/portal/jobs/")
    row = page.locator("tbody tr", has=page.locator(f"a[href='/portal/jobs/{ast_id}/']"))
    assert shown in row.inner_text() and "vs baseline" in row.inner_text()

    page.goto(
        f"{tour['base_url']}/portal/compare/?ast_run_id={ast_id}&baseline_run_id={baseline_id}"
    )
    energy_row = page.locator("#comparison tr", has_text="Training energy").inner_text()
    assert f"{-saving * 100:.1f}%" in energy_row.replace("+", "")
    save_screenshot(page, "compare_pair")

    page.goto(f"{tour['base_url']}/portal/jobs/{ast_id}/card/")
    page.click("button:has-text('Generate card')")
    page.wait_for_selector("#card-rendered")
    card_text = page.inner_text("#card-rendered")
    assert f"{saving * 100:.1f}%" in card_text and basis in card_text
    save_screenshot(page, "model_card")


def test_an_operator_sees_every_tenants_jobs_in_the_admin(
    tour,
    browser,  # noqa: F811
):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(tour["base_url"] + "/admin/login/")
    page.fill("#id_username", "ops-tour@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(tour["base_url"] + "/admin/jobs/trainingjob/?status__exact=succeeded")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() >= 1
    assert "tour@example.com" in page.inner_text("#result_list")
    save_screenshot(page, "admin_jobs")
