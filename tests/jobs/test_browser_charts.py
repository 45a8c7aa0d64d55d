"""The job page's charts in a real browser: an AST run and its baseline on the same axes,
values on hover, drag to zoom (all the page's charts follow), double-click to zoom out, a
live run's new epoch drawn from its event stream; the share page and the compare page draw
the same charts. Any CSP refusal fails the test (the `browser` fixture), so the vendored
uPlot must need no inline script or style."""

import json

import pytest
from playwright.sync_api import expect

from jobs.reporting.formatting import energy
from jobs.templatetags.units import saving
from tests.browser import browser, save_screenshot, signed_in_page  # noqa: F401  (fixture)
from tests.conftest import PASSWORD
from tests.live_hub import manage
from tests.mcp.conftest import hub  # noqa: F401 (the session's shared hub)

pytestmark = pytest.mark.slow

EPOCHS = 30
MAKE = f"""
import json
from accounts.services import sign_up
from jobs.models import JobStatus
from jobs.sharing.services import create_share_token
from tests.sharing.factories import stored_job
user = sign_up(email="charts@example.com", password="{PASSWORD}")
curve = [round(0.5 + 0.45 * (1 - 0.9 ** e), 4) for e in range(1, {EPOCHS} + 1)]
baseline = stored_job(
    user, baseline=True, name="digits-baseline", epochs={EPOCHS}, accuracies=curve
)
ast = stored_job(
    user, name="digits-ast", epochs={EPOCHS}, paired_with=baseline,
    accuracies=[a - 0.01 for a in curve],
)
share, raw = create_share_token(user=user, job_ids=[ast.pk, baseline.pk], label="pair")
live = stored_job(user, name="live", status=JobStatus.RUNNING, epochs=5, epochs_done=2)
print(json.dumps({{"ast": ast.pk, "baseline": baseline.pk, "raw": raw, "live": live.pk}}))
"""
ADD_EPOCH = """
from jobs.models import MetricPoint
from jobs.runs.metrics import record_metric
last = MetricPoint.objects.filter(job_id={job}).order_by("-epoch").first().data
record_metric(job_id={job}, point=last | {{"epoch": 3, "val_accuracy": 0.97}})
"""
# Kilowatt-hours across the J / Wh / kWh boundaries, and savings either side of zero.
KWH = [1.4389e-7, 9.99e-4, 1e-3, 0.0124, 0.5, 3.07, 12345.0]
FRACTIONS = [0.2271, -0.04, 0.0]


def _hover_epoch(page, chart: str, fraction: float) -> int:
    """Hover `fraction` of the way across `chart`'s plot; the epoch its legend then shows."""
    box = page.locator(f"{chart} .u-over").bounding_box()
    page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)
    return int(page.locator(f"{chart} .u-legend .u-series").first.locator(".u-value").inner_text())


def _drag(page, chart: str, start: float, stop: float) -> None:
    box = page.locator(f"{chart} .u-over").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * start, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * (start + stop) / 2, y, steps=4)
    page.mouse.move(box["x"] + box["width"] * stop, y, steps=4)
    page.mouse.up()


def test_job_page_charts_overlay_the_baseline_hover_and_zoom(hub, browser):  # noqa: F811
    made = json.loads(manage(hub["env"], "shell", "-c", MAKE).strip().splitlines()[-1])
    page = signed_in_page(browser, hub["base_url"], "charts@example.com", PASSWORD)
    page.goto(f"{hub['base_url']}/portal/jobs/{made['ast']}/")
    page.wait_for_selector("html[data-charts-drawn='true']", timeout=30_000)
    for kind in ("accuracy", "loss", "activation", "energy", "savings"):
        assert page.locator(f"#chart-{kind} canvas").count() >= 1, kind
    legend = page.inner_text("#chart-accuracy .u-legend")
    assert f"AST #{made['ast']}" in legend and f"baseline #{made['baseline']}" in legend
    assert "target" in page.inner_text("#chart-activation .u-legend")

    # Hovering shows the epoch and each run's value under the cursor.
    assert _hover_epoch(page, "#chart-accuracy", 0.01) == 1
    values = page.locator("#chart-accuracy .u-legend .u-series .u-value").all_inner_texts()
    assert all(text.replace(".", "", 1).isdigit() for text in values[1:]), values
    assert _hover_epoch(page, "#chart-accuracy", 0.99) == EPOCHS
    assert (
        page.inner_text("#chart-energy .u-legend").count(" J")
        + page.inner_text("#chart-energy .u-legend").count(" Wh")
        >= 2
    )  # energies in the display units, one per run

    # Dragging across the middle zooms in; the other charts follow; a double-click resets.
    _drag(page, "#chart-accuracy", 0.4, 0.8)
    assert _hover_epoch(page, "#chart-accuracy", 0.01) >= 10
    assert _hover_epoch(page, "#chart-loss", 0.01) >= 10
    save_screenshot(page, "job_charts")
    page.locator("#chart-accuracy .u-over").dblclick()
    assert _hover_epoch(page, "#chart-accuracy", 0.01) == 1

    # Hovered values read as the server renders them (jobs/reporting/formatting.py).
    shown = page.evaluate(
        "([kwh, fractions]) => [kwh.map(AstCharts.format.energy),"
        " fractions.map(AstCharts.format.percent)]",
        [KWH, FRACTIONS],
    )
    assert shown == [[energy(v) for v in KWH], [saving(v) for v in FRACTIONS]]

    # A live run: a new epoch reaches the charts through the job's event stream.
    page.goto(f"{hub['base_url']}/portal/jobs/{made['live']}/")
    page.wait_for_selector("html[data-charts-drawn='true']", timeout=30_000)
    assert _hover_epoch(page, "#chart-accuracy", 0.99) == 2
    manage(hub["env"], "shell", "-c", ADD_EPOCH.format(job=made["live"]))
    expect(page.locator("#fig-epoch")).to_have_text("3 / 5", timeout=30_000)
    assert _hover_epoch(page, "#chart-accuracy", 0.99) == 3
    values = page.locator("#chart-accuracy .u-legend .u-series .u-value").all_inner_texts()
    assert values[1] == "0.970"

    page.goto(f"{hub['base_url']}/portal/compare/?run={made['ast']}&run={made['baseline']}")
    if page.locator("#compare-charts").count():  # once the compare page includes them
        page.wait_for_selector("html[data-charts-drawn='true']", timeout=30_000)
        legend = page.inner_text("#compare-charts [data-chart='accuracy'] .u-legend")
        assert f"#{made['ast']}" in legend and f"#{made['baseline']}" in legend
        save_screenshot(page, "compare_charts")

    # The public share page, signed out: the AST run's card carries its baseline, dashed.
    public = browser.new_page(viewport={"width": 1280, "height": 1000})
    public.goto(f"{hub['base_url']}/share/{made['raw']}/")
    public.wait_for_selector("html[data-charts-drawn='true']", timeout=30_000)
    card = f".shared-job[data-job-id='{made['ast']}']"
    legend = public.inner_text(f"{card} [data-chart='accuracy'] .u-legend")
    assert f"baseline #{made['baseline']}" in legend
    expect(public.locator(f"{card} [data-chart='savings'] canvas").first).to_be_visible()
    save_screenshot(public, "share_page")
