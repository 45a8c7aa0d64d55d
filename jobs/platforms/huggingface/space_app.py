"""The files of a live dashboard Space: a Gradio `app.py`, its requirements and README.

The app reads the hub's public share API with a job-scoped, read-only share token kept
as the Space secret `ASTHUB_SHARE_TOKEN`, so the Space can show a run and nothing else,
and revoking the link in the portal blinds it at once. The fetching and shaping code
comes first and needs only the standard library (it is tested without Gradio); Gradio is
imported only when the Space runs the file.
"""

APP_TEMPLATE = r'''"""Live AST training dashboard, fed by AST Training Hub's read-only share API."""

import json
import os
import urllib.request

HUB_URL = os.environ.get("ASTHUB_URL", __HUB_URL__)
REFRESH_SECONDS = 10
SERIES = {
    "val_accuracy": "Validation accuracy",
    "activation_rate": "Activation rate",
    "energy_savings": "Energy savings",
}


def fetch(hub_url=HUB_URL, token=None, opener=urllib.request.urlopen):
    """The share API's answer: {"label", "jobs": [{"id", "name", "status", "points"}]}."""
    token = token if token is not None else os.environ["ASTHUB_SHARE_TOKEN"]
    request = urllib.request.Request(
        f"{hub_url.rstrip('/')}/api/v1/shared/",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    with opener(request, timeout=15) as response:
        return json.loads(response.read().decode("utf-8"))


def rows(view):
    """One row per job, epoch and series: what the line charts plot."""
    table = []
    for job in view.get("jobs", []):
        label = job.get("name") or f"job {job['id']}"
        for point in job.get("points", []):
            for key, title in SERIES.items():
                if point.get(key) is not None:
                    row = {"job": label, "epoch": point["epoch"], "series": title}
                    table.append({**row, "value": point[key]})
    return table


def status_line(view):
    parts = []
    for job in view.get("jobs", []):
        progress = job.get("progress") or {}
        epoch = progress.get("epoch") or 0
        parts.append(f"{job.get('name') or 'job ' + str(job['id'])}: {job['status']}, "
                     f"epoch {epoch}/{job.get('epochs')}")
    return " · ".join(parts) or "No runs shared."


def build_demo():
    import gradio as gr
    import pandas as pd

    def refresh():
        try:
            view = fetch()
        except Exception as error:  # the link was revoked, or the hub is unreachable
            empty = pd.DataFrame(columns=["job", "epoch", "series", "value"])
            return (f"Cannot read the hub: {error}",) + (empty,) * len(SERIES)
        frame = pd.DataFrame(rows(view), columns=["job", "epoch", "series", "value"])
        charts = tuple(frame[frame["series"] == title] for title in SERIES.values())
        return (status_line(view),) + charts

    with gr.Blocks(title="AST training, live") as demo:
        gr.Markdown("# Adaptive Sparse Training, live")
        status = gr.Markdown()
        plots = [
            gr.LinePlot(x="epoch", y="value", color="job", title=title, height=260)
            for title in SERIES.values()
        ]
        outputs = [status, *plots]
        demo.load(refresh, outputs=outputs)
        gr.Timer(REFRESH_SECONDS).tick(refresh, outputs=outputs)
    return demo


if __name__ == "__main__":
    build_demo().launch()
'''

REQUIREMENTS = "gradio>=5\npandas\n"

README_TEMPLATE = """---
title: {title}
emoji: 📉
colorFrom: green
colorTo: blue
sdk: gradio
app_file: app.py
pinned: false
short_description: Live Adaptive Sparse Training metrics
---

# {title}

Live accuracy, activation rate and energy savings of AST training runs, read from
[AST Training Hub]({hub_url}) through a read-only share link that covers only these runs
(the Space secret `ASTHUB_SHARE_TOKEN`). Revoking the link on the hub stops the feed.
"""


def app_source(hub_url: str) -> str:
    return APP_TEMPLATE.replace("__HUB_URL__", repr(hub_url))


def readme(title: str, hub_url: str) -> str:
    return README_TEMPLATE.format(title=title, hub_url=hub_url)
