"""Share links and the leaderboard through MCP: the SDK's own client against the real hub."""

import asyncio
import json

import httpx
import pytest

from tests.live_hub import manage
from tests.mcp.conftest import hub  # noqa: F401 (the session's shared hub)
from tests.mcp.mcp_client import mcp_session, structured, text_of

pytestmark = pytest.mark.slow

MAKE_JOBS = """
from accounts.models import User
from django.utils import timezone
from jobs.models import Publication
from tests.sharing.factories import stored_job
alice = User.objects.get(email="alice@example.com")
shared, listed = stored_job(alice, name="mcp-shared"), stored_job(alice, name="mcp-listed")
Publication.objects.create(owner=alice, job=listed, source_platform="local",
    target_platform="huggingface", status="succeeded", published_ref="alice/frugal",
    url="https://huggingface.co/alice/frugal", finished_at=timezone.now())
print(shared.pk, listed.pk)
"""


async def call(hub, who: str, tool: str, arguments: dict | None = None):  # noqa: F811
    async with mcp_session(hub["base_url"], hub["cast"][who]) as session:
        return await session.call_tool(tool, arguments or {})


def run(coro):
    return asyncio.run(coro)


@pytest.fixture(scope="module")
def jobs(hub):  # noqa: F811
    out = manage(hub["env"], "shell", "-c", MAKE_JOBS).strip().splitlines()[-1]
    shared, listed = (int(value) for value in out.split())
    return {"shared": shared, "listed": listed}


def test_share_link_lifecycle_over_mcp(hub, jobs):  # noqa: F811
    created = structured(
        run(call(hub, "alice", "create_share_link", {"job_ids": [jobs["shared"]], "label": "mcp"}))
    )
    raw = created["token"]
    assert raw.startswith("asthub_share_") and created["link"]["job_ids"] == [jobs["shared"]]
    public = httpx.get(f"{hub['base_url']}/api/v1/shared/{raw}/")
    assert public.status_code == 200 and public.json()["jobs"][0]["name"] == "mcp-shared"
    page = httpx.get(created["page_url"].replace("http://127.0.0.1:8000", hub["base_url"]))
    assert page.status_code == 200 and "mcp-shared" in page.text

    listed = structured(run(call(hub, "alice_read", "list_share_links")))
    assert [link["label"] for link in listed["links"]] == ["mcp"]
    assert raw not in json.dumps(listed)

    share_id = created["link"]["share_id"]
    denied = run(call(hub, "bob", "revoke_share_link", {"share_id": share_id}))
    assert denied.is_error and "No active share link" in text_of(denied)
    revoked = structured(run(call(hub, "alice", "revoke_share_link", {"share_id": share_id})))
    assert revoked["active"] is False
    assert httpx.get(f"{hub['base_url']}/api/v1/shared/{raw}/").status_code == 404


def test_bob_cannot_share_alices_job_over_mcp(hub, jobs):  # noqa: F811
    result = run(call(hub, "bob", "create_share_link", {"job_ids": [jobs["shared"]]}))
    assert result.is_error and f"No training job {jobs['shared']}" in text_of(result)


def test_read_only_token_cannot_create_links(hub, jobs):  # noqa: F811
    result = run(call(hub, "alice_read", "create_share_link", {"job_ids": [jobs["shared"]]}))
    assert result.is_error and "jobs:write" in text_of(result)


def test_leaderboard_opt_in_over_mcp(hub, jobs):  # noqa: F811
    arguments = {"job_id": jobs["listed"], "listed": True, "display_name": "MCP lab"}
    listing = structured(run(call(hub, "alice", "set_leaderboard_listing", arguments)))
    assert listing["listed"] is True and listing["published"] is True
    board = structured(run(call(hub, "bob", "get_leaderboard", {"dataset": "digits"})))
    (row,) = board["datasets"][0]["entries"]
    assert row["display_name"] == "MCP lab" and row["model_url"].endswith("alice/frugal")
    assert "alice@example.com" not in json.dumps(board)
    denied = run(call(hub, "bob", "set_leaderboard_listing", arguments))
    assert denied.is_error and "No training job" in text_of(denied)


def test_dashboard_space_is_refused_over_mcp_while_the_hub_is_on_loopback(hub, jobs):  # noqa: F811
    """The shared hub's PUBLIC_BASE_URL is its loopback address: no Space could read it."""
    before = structured(run(call(hub, "alice_read", "list_share_links")))["links"]
    result = run(call(hub, "alice", "deploy_dashboard", {"job_ids": [jobs["shared"]]}))
    assert result.is_error
    message = text_of(result)
    assert "[hub_not_reachable]" in message and "127.0.0.1" in message
    assert "cannot reach that address" in message and "cloudflared tunnel --url" in message
    assert structured(run(call(hub, "alice_read", "list_share_links")))["links"] == before
