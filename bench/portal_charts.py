"""Portal charts: a job page with a long run draws its charts without a stall.

Starts a throwaway hub (`manage.py run_hub`, embedded SQLite, as the browser tests do),
stores a finished AST run of --epochs epochs and its paired baseline (every epoch's metric
point, shaped like the engine's), opens the AST run's page in headless Chromium and prints:

- navigation start until every chart has drawn (the chart script's performance mark
  "asthub:charts-drawn", set once all the page's charts have drawn the fetched points),
  split at "asthub:charts-data" (both runs' points fetched from the metrics endpoint);
- the longest main-thread task during that load (PerformanceObserver "longtask");
- a hover then a drag-to-zoom then a double-click reset: wall time from the first mouse
  event until the frame after the last, and the longest task during it.

Figures only; nothing here asserts a timing.

    .venv/bin/python bench/portal_charts.py [--epochs 1000] [--repeat 5]
"""

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PASSWORD = "a long passphrase 123"
SEED = """
import json
from accounts.services import sign_up
from tests.sharing.factories import stored_job
user = sign_up(email="charts-bench@example.com", password="{password}")
curve = [0.5 + 0.45 * (1 - 0.995 ** e) for e in range(1, {epochs} + 1)]
baseline = stored_job(user, baseline=True, name="long-baseline", epochs={epochs},
                      accuracies=curve)
ast = stored_job(user, name="long-ast", epochs={epochs}, paired_with=baseline,
                 accuracies=[a - 0.01 for a in curve])
print(json.dumps({{"ast": ast.pk}}))
"""
# Installed before the page's own scripts run, so no long task of the load is missed.
WATCH_LONG_TASKS = """
window.__longTasks = [];
new PerformanceObserver((list) => {
  list.getEntries().forEach((e) => window.__longTasks.push({start: e.startTime, ms: e.duration}));
}).observe({type: "longtask", buffered: true});
"""
LOAD_FIGURES = """() => {
  const drawn = performance.getEntriesByName("asthub:charts-drawn")[0];
  const data = performance.getEntriesByName("asthub:charts-data")[0];
  const tasks = window.__longTasks;
  return {
    drawn_ms: drawn ? drawn.startTime : null,
    data_ms: data ? data.startTime : null,
    draw_ms: drawn && data ? drawn.startTime - data.startTime : null,
    longest_task_ms: tasks.length ? Math.max(...tasks.map((t) => t.ms)) : 0,
    long_tasks: tasks.length,
    canvases: document.querySelectorAll(".uplot canvas").length,
  };
}"""
NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
TASKS_SINCE = "(since) => window.__longTasks.filter((t) => t.start >= since).map((t) => t.ms)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    run(parser.parse_args())


def run(args) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, chromium_path
    from tests.live_hub import embedded_env, manage, running_hub

    var_dir = Path(tempfile.mkdtemp(prefix="asthub-bench-charts-"))
    try:
        with running_hub(var_dir) as hub:
            env = embedded_env(var_dir)
            seed = SEED.format(password=PASSWORD, epochs=args.epochs)
            job = json.loads(manage(env, "shell", "-c", seed).strip().splitlines()[-1])["ast"]
            url = f"{hub['base_url']}/portal/jobs/{job}/"
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
                )
                try:
                    rows = measure(browser, hub["base_url"], url, args.repeat)
                finally:
                    browser.close()
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    report(args, rows)


def measure(browser, base_url: str, url: str, repeat: int) -> list[dict]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.add_init_script(WATCH_LONG_TASKS)
    page = context.new_page()
    page.goto(base_url + "/login/")
    page.fill("#id_username", "charts-bench@example.com")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url("**/portal/**")
    page.goto(url)  # warm: templates compiled, static files cached
    page.wait_for_selector("html[data-charts-drawn='true']", timeout=60_000)
    rows = []
    for _ in range(repeat):
        page.goto(url)
        page.wait_for_selector("html[data-charts-drawn='true']", timeout=60_000)
        row = page.evaluate(LOAD_FIGURES)
        row.update(interact(page))
        rows.append(row)
    context.close()
    return rows


def interact(page) -> dict:
    box = page.locator("#chart-accuracy .u-over").bounding_box()
    y = box["y"] + box["height"] / 2

    def at(fraction: float) -> float:
        return box["x"] + box["width"] * fraction

    since = page.evaluate("() => performance.now()")
    started = time.perf_counter()
    page.mouse.move(at(0.5), y)
    page.mouse.move(at(0.3), y)
    page.mouse.down()
    page.mouse.move(at(0.5), y, steps=5)
    page.mouse.move(at(0.7), y, steps=5)
    page.mouse.up()
    page.mouse.dblclick(at(0.5), y)
    page.evaluate(NEXT_FRAME)
    elapsed = (time.perf_counter() - started) * 1000
    tasks = page.evaluate(TASKS_SINCE, since)
    return {"interaction_ms": elapsed, "interaction_longest_task_ms": max(tasks, default=0)}


def report(args, rows: list[dict]) -> None:
    canvases = rows[0]["canvases"] if rows else 0
    print(
        f"job page, AST run + paired baseline of {args.epochs:,} epochs each, 5 charts "
        f"({canvases} canvases), headless Chromium, {len(rows)} loads after a warm one"
    )
    print(f"{'figure':<44} {'median':>8} {'max':>8}")
    for label, key in (
        ("navigation start -> all charts drawn, ms", "drawn_ms"),
        ("  of which: until the points were fetched", "data_ms"),
        ("  of which: fetched -> drawn", "draw_ms"),
        ("longest main-thread task during load, ms", "longest_task_ms"),
        ("long tasks (>50 ms) during load, count", "long_tasks"),
        ("hover + drag-zoom + reset, wall ms", "interaction_ms"),
        ("longest task during that interaction, ms", "interaction_longest_task_ms"),
    ):
        values = [row[key] for row in rows if row[key] is not None]
        if values:
            print(f"{label:<44} {statistics.median(values):>8.1f} {max(values):>8.1f}")


if __name__ == "__main__":
    main()
