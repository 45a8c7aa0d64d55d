"""In a real browser: select three runs in the runs table, compare them side by side, and
open a sweep's page with its ranking and Pareto front (screenshots for review)."""

import contextlib
import json
import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import browser, save_screenshot, signed_in_page  # noqa: F401  (fixture)
from tests.conftest import PASSWORD
from tests.live_hub import manage
from tests.mcp.conftest import hub  # noqa: F401 (the session's shared hub)

pytestmark = pytest.mark.slow

MAKE = f"""
import json
from accounts.services import sign_up
from jobs.models import JobStatus, Sweep, TrainingJob
from tests.sharing.factories import stored_job
user = sign_up(email="sweeper@example.com", password="{PASSWORD}")
baseline = stored_job(user, baseline=True, name="digits-plain", kwh_per_fe=2.0e-9)
paired = stored_job(user, name="digits-ast", paired_with=baseline, kwh_per_fe=2.0e-9)
lone = stored_job(user, name="digits-ast-lean", accuracies=[0.7, 0.8, 0.85, 0.88, 0.9],
                  kwh_per_fe=1.0e-9)
sweep = Sweep.objects.create(owner=user, name="activation rates",
                             spec={{"dataset": "digits", "model": "mlp"}},
                             grid={{"target_activation_rate": [0.2, 0.4, 0.6, 0.8]}})
points = {{}}
for rate, final, kwh in ((0.2, 0.88, 1.0e-9), (0.4, 0.95, 2.0e-9), (0.6, 0.93, 3.0e-9)):
    job = stored_job(user, name=f"rate {{rate}}", kwh_per_fe=kwh,
                     accuracies=[0.6, 0.7, 0.8, final - 0.01, final])
    points[rate] = job.pk
running = stored_job(user, name="rate 0.8", status=JobStatus.RUNNING, epochs_done=2)
points[0.8] = running.pk
for rate, pk in points.items():
    TrainingJob.objects.filter(pk=pk).update(
        sweep=sweep, ast_config={{"target_activation_rate": rate}})
print(json.dumps({{"runs": [paired.pk, lone.pk, baseline.pk], "sweep": sweep.pk,
                  "points": points}}))
"""


def _job_ids(page, rows: str) -> list[int]:
    return [int(row.get_attribute("data-job-id")) for row in page.locator(rows).all()]


def _let_curves_draw(page) -> None:
    # The curves are the charts tests' subject; waiting for them here only makes the
    # screenshot show them.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_selector("html[data-charts-drawn='true']", timeout=10_000)


def test_three_selected_runs_compare_side_by_side_and_a_sweep_ranks_its_points(
    hub,  # noqa: F811
    browser,  # noqa: F811
):
    made = json.loads(manage(hub["env"], "shell", "-c", MAKE).strip().splitlines()[-1])
    paired, lone, baseline = made["runs"]
    page = signed_in_page(browser, hub["base_url"], "sweeper@example.com", PASSWORD)

    page.click("nav >> text=Jobs")
    for pk in (paired, lone, baseline):
        page.check(f'#run-table input[name="run"][value="{pk}"]')
    save_screenshot(page, "runs_table")
    page.click("button:has-text('Compare selected')")
    page.wait_for_url("**/portal/compare/?run=*")
    compared = _job_ids(page, "#compared-runs thead th[data-job-id]")
    assert sorted(compared) == sorted([paired, lone, baseline])  # in the table's order
    assert page.inner_text("h1") == "Compare 3 runs"
    saved = '#compared-runs td[data-field="energy-saved"][data-job-id="{}"]'
    paired_saving = page.inner_text(saved.format(paired))
    assert re.fullmatch(rf"-?\d+\.\d %\smeasured against baseline run #{baseline}", paired_saving)
    assert "engine estimate" in page.inner_text(saved.format(lone))  # no baseline of its own
    _let_curves_draw(page)
    save_screenshot(page, "compare_runs")

    page.click("nav >> text=Sweeps")
    page.click("text=activation rates")
    page.wait_for_url(f"**/portal/sweeps/{made['sweep']}/")
    ranked = _job_ids(page, "#sweep-points tbody tr")
    points = made["points"]
    # accuracy per kWh: rate 0.2 (cheapest) first, then 0.4, then 0.6; the running one last.
    assert ranked == [points["0.2"], points["0.4"], points["0.6"], points["0.8"]]
    on_front = _job_ids(page, "#sweep-points tr.pareto")
    assert sorted(on_front) == sorted([points["0.2"], points["0.4"]])
    _let_curves_draw(page)
    save_screenshot(page, "sweep")
