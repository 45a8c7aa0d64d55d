"""The pages that draw training curves ship the vendored chart library from the hub's own
static files (the CSP allows no other origin), and give the chart script what it needs:
the job page its paired run, the compare and sweep includes their runs as JSON."""

import json
import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

from jobs.sharing.services import create_share_token
from tests.sharing.factories import stored_job

UPLOT_JS = "/static/vendor/uplot/uPlot.iife.min.js"
UPLOT_CSS = "/static/vendor/uplot/uPlot.min.css"
SCRIPT_SRC = re.compile(r'<script[^>]*\ssrc="([^"]+)"')


def _scripts(page: str) -> list[str]:
    return SCRIPT_SRC.findall(page)


def _assert_ships_local_uplot(page: str) -> None:
    scripts = _scripts(page)
    assert UPLOT_JS in scripts and "/static/asthub/charts.js" in scripts
    assert scripts.index(UPLOT_JS) < scripts.index("/static/asthub/charts.js")
    assert f'href="{UPLOT_CSS}"' in page
    assert not [src for src in scripts if src.startswith(("http:", "https:", "//"))]


def test_vendored_chart_library_is_a_static_file_with_its_licence():
    for name in ("uPlot.iife.min.js", "uPlot.min.css", "LICENSE", "README.md"):
        assert finders.find(f"vendor/uplot/{name}"), name
    licence = Path(finders.find("vendor/uplot/LICENSE")).read_text()
    assert "MIT" in licence or "Permission is hereby granted" in licence


def test_job_page_ships_local_uplot_and_names_its_baseline(client, alice):
    baseline = stored_job(alice, baseline=True, name="digits-baseline")
    ast = stored_job(alice, paired_with=baseline)
    client.force_login(alice)
    page = client.get(f"/portal/jobs/{ast.pk}/").content.decode()
    _assert_ships_local_uplot(page)
    assert 'id="chart-accuracy"' in page and 'id="chart-energy"' in page
    assert f'data-pair-id="{baseline.pk}" data-pair-is-baseline="true"' in page
    assert 'data-pair-status="succeeded"' in page
    # The baseline's page finds its AST run through the reverse link.
    page = client.get(f"/portal/jobs/{baseline.pk}/").content.decode()
    assert f'data-pair-id="{ast.pk}" data-pair-is-baseline="false"' in page


def test_job_page_without_a_pair_names_none(client, alice):
    ast = stored_job(alice)
    client.force_login(alice)
    page = client.get(f"/portal/jobs/{ast.pk}/").content.decode()
    assert "data-pair-id" not in page and 'data-is-baseline="false"' in page


def test_share_page_ships_local_uplot(client, alice):
    job = stored_job(alice)
    _, raw = create_share_token(user=alice, job_ids=[job.pk], label="charts")
    page = client.get(f"/share/{raw}/").content.decode()
    _assert_ships_local_uplot(page)
    assert 'data-chart="accuracy"' in page and "<canvas" not in page


def test_compare_include_hands_its_runs_to_the_chart_script():
    runs = [
        {"job_id": 7, "label": "#7 ast", "is_baseline": False, "terminal": True},
        {"job_id": 8, "label": "#8 </script>", "is_baseline": True, "terminal": False},
    ]
    html = render_to_string("jobs/includes/compare_charts.html", {"chart_runs": runs})
    _assert_ships_local_uplot(html)
    assert "/static/asthub/compare_live.js" in _scripts(html)
    shipped = re.search(r'id="chart-runs" type="application/json">(.*?)</script>', html, re.S)
    assert json.loads(shipped.group(1)) == runs  # escaped, so a label cannot end the script
    assert render_to_string("jobs/includes/compare_charts.html", {"chart_runs": []}).strip() == ""


def test_sweep_include_hands_its_runs_and_pareto_points_to_the_chart_script():
    runs = [{"job_id": 3, "label": "#3", "is_baseline": False, "terminal": True}]
    pareto = {
        "points": [{"job_id": 3, "label": "#3", "kwh": 1e-5, "accuracy": 0.9, "on_front": True}]
    }
    html = render_to_string(
        "jobs/includes/sweep_charts.html", {"chart_runs": runs, "pareto": pareto}
    )
    _assert_ships_local_uplot(html)
    assert "/static/asthub/sweep_live.js" in _scripts(html)
    shipped = re.search(r'id="sweep-pareto" type="application/json">(.*?)</script>', html, re.S)
    assert json.loads(shipped.group(1)) == pareto
    assert 'data-chart="pareto"' in html and 'data-chart="accuracy"' in html


def test_every_page_has_an_icon_so_browsers_log_no_404(client):
    # The portal's pages name it; the admin and the API docs get it at /favicon.ico.
    assert 'rel="icon" href="/static/asthub/favicon.svg"' in client.get("/login/").content.decode()
    moved = client.get("/favicon.ico")
    assert moved.status_code == 301 and moved["Location"] == "/static/asthub/favicon.svg"
