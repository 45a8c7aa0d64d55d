"""Bad input on every surface: a clear refusal, nothing stored, no quota spent. Erin is a
Free user with no jobs; every case is tried on REST, MCP, the CLI and the portal, each
for real (no "check only"), and her usage is the same afterwards."""

import asyncio
import contextlib
import io
import re

import httpx
import pytest

from asthub_client.cli import main as asthub_main
from tests.mcp.mcp_client import mcp_session, text_of
from tests.mcp.surfaces import Portal, cli_arguments

pytestmark = pytest.mark.slow

# (what is wrong, the spec, a word every refusal must name)
BAD_INPUT = [
    ("an unknown data set", {"dataset": "imagenet100"}, "imagenet-100"),
    ("an unknown model", {"model": "resnet_nope"}, "resnet_nope"),
    (
        "a model larger than the plan allows",
        {"model": "convnext_large", "platform": "huggingface", "hardware": "t4-small"},
        "Pro",
    ),
    (
        "hardware the plan does not allow",
        {"platform": "huggingface", "hardware": "a100-large"},
        "a100-large",
    ),
    ("a path on the server through hf:", {"dataset": "hf:/etc/passwd"}, "path"),
    (
        "a file path on a remote platform",
        {"dataset": "csv:/etc/passwd:label", "platform": "kaggle"},
        "path",
    ),
    (
        "a Kaggle data set that climbs out of its folder",
        {"dataset": "kaggle:someone/data/../../etc/passwd", "platform": "kaggle"},
        "path",
    ),
]


def _usage(hub, token):
    answer = httpx.get(
        f"{hub['base_url']}/api/v1/usage", headers={"Authorization": f"Bearer {token}"}
    )
    return answer.json()["limits"]


def _jobs(hub, token):
    answer = httpx.get(
        f"{hub['base_url']}/api/v1/jobs/", headers={"Authorization": f"Bearer {token}"}
    )
    return answer.json()["count"]


def test_bad_input_is_refused_clearly_on_every_surface_and_spends_nothing(hub):
    token = hub["cast"]["erin"]
    usage_before = _usage(hub, token)
    assert _jobs(hub, token) == 0
    portal = Portal(hub, "erin@example.com")

    async def mcp_refusals():
        async with mcp_session(hub["base_url"], token) as session:
            return [await session.call_tool("start_training", spec) for _, spec, _ in BAD_INPUT]

    failures = []
    try:
        for (label, spec, named), result in zip(
            BAD_INPUT, asyncio.run(mcp_refusals()), strict=True
        ):
            rest = httpx.post(
                f"{hub['base_url']}/api/v1/jobs/",
                json=spec,
                headers={"Authorization": f"Bearer {token}"},
            )
            if rest.status_code not in (400, 403) or named not in rest.json()["error"]["message"]:
                failures.append(f"REST on {label}: {rest.status_code} {rest.text[:200]}")
            if not result.is_error or named not in text_of(result):
                failures.append(f"MCP on {label}: {text_of(result)[:200]}")
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                code = asthub_main(
                    ["--url", hub["base_url"], "--token", token, "start", *cli_arguments(spec)]
                )
            if code == 0 or named not in out.getvalue():
                failures.append(f"CLI on {label}: exit {code}, {out.getvalue()[:200]}")
            page = portal.post_new_job(spec)
            errors = " ".join(re.findall(r'class="error"[^>]*>(.*?)</', page, flags=re.S))
            if named not in errors:
                failures.append(f"portal on {label}: {errors[:200] or page[:200]}")
    finally:
        portal.close()
    assert not failures, "\n".join(failures)
    assert _usage(hub, token) == usage_before
    assert _jobs(hub, token) == 0
