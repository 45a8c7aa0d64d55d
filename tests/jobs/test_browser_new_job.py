"""The dashboard and the New job form in a real browser, as a Free user fills it: the
dashboard's recent run and New job button, Hugging Face Jobs with its hardware (Pro's
greyed out), the catalog searched for a data set and a model, Advanced opened, and "Check
only" answering without starting anything. Any CSP refusal fails the test (`browser`)."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser import browser, save_screenshot, signed_in_page  # noqa: F401  (fixture)
from tests.conftest import PASSWORD
from tests.live_hub import manage
from tests.mcp.conftest import hub  # noqa: F401 (the session's shared hub)

pytestmark = pytest.mark.slow

MAKE = f"""
import json
from accounts.services import sign_up
from tests.jobs.run_rows import finished_run
user = sign_up(email="newjob@example.com", password="{PASSWORD}")
run = finished_run(user, 3, name="first digits run")
run.save()
print(json.dumps({{"run": run.pk}}))
"""


def test_free_user_fills_the_new_job_form_and_checks_it(hub, browser):  # noqa: F811
    made = json.loads(manage(hub["env"], "shell", "-c", MAKE).strip().splitlines()[-1])
    page = signed_in_page(browser, hub["base_url"], "newjob@example.com", PASSWORD)

    recent = page.locator("#recent-runs")
    expect(recent.locator(f"a[href='/portal/jobs/{made['run']}/']")).to_have_text(
        "first digits run"
    )
    expect(recent).to_contain_text("0.530")
    save_screenshot(page, "dashboard")
    page.click("#new-job-button")
    page.wait_for_url("**/portal/jobs/new/")

    # Hugging Face Jobs: its flavors replace the local CPU; Pro's are listed, disabled.
    page.check("input[name=platform][value=huggingface]")
    hardware = page.locator("#id_hardware")
    expect(hardware).to_have_value("cpu-basic")
    expect(hardware.locator("option[value='a100-large']")).to_be_disabled()
    expect(hardware.locator("option[value='a100-large']")).to_have_text("a100-large (Pro plan)")
    page.select_option("#id_hardware", "t4-small")
    expect(page.locator("[data-platform-note=huggingface]")).to_be_visible()
    expect(page.locator("[data-platform-note=kaggle]")).to_be_hidden()

    # The catalog, searched: data sets on the page, models through the catalog API.
    page.fill("#search-dataset", "cifar")
    page.click(".picker[data-picker=dataset] button.pick:has-text('cifar10')")
    expect(page.locator("#id_dataset")).to_have_value("cifar10")
    page.fill("#search-model", "resnet1")
    page.click(".picker[data-picker=model] button.pick:has(strong:text-is('resnet18'))")
    expect(page.locator("#id_model")).to_have_value("resnet18")

    expect(page.locator("#id_kp")).to_be_hidden()
    page.click("details.advanced > summary")
    expect(page.locator("#id_kp")).to_be_visible()
    expect(page.locator("#id_kp")).to_have_value("1.5")
    page.fill("#id_hf_repo", "newjob/cifar10-ast")
    save_screenshot(page, "new_job_form")

    page.click("button:has-text('Check only')")
    expect(page.locator(".messages")).to_contain_text("Nothing was started")
    expect(page.locator(".messages")).to_contain_text(
        "resnet18 on cifar10 can start on huggingface"
    )
    # The checked form keeps what was chosen, the script included.
    expect(page.locator("#id_hardware")).to_have_value("t4-small")
    page.goto(hub["base_url"] + "/portal/")
    expect(page.locator("#recent-runs tbody tr")).to_have_count(1)
