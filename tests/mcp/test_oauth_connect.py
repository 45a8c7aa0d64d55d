"""A new MCP client connects with nothing but the hub's URL: the SDK's OAuth client
discovers, registers, sends a person to consent in Chromium, gets a token, trains a
model, refreshes, and is refused once its token is revoked."""

import asyncio
import contextlib
import io
import json
import time

import httpx2
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from asthub_client.cli import main as asthub_main
from tests.live_hub import manage
from tests.mcp.mcp_client import structured, text_of
from tests.mcp.oauth_client import launch, person_in, provider_for

PASSWORD = "a long passphrase 123"
QUICK = {"dataset": "digits", "model": "mlp", "epochs": 2}


async def _consent_page(page) -> None:
    try:
        await page.wait_for_selector("#consent-form", timeout=15000)
    except Exception as exc:
        text = (await page.inner_text("main")) if await page.query_selector("main") else ""
        raise AssertionError(f"no consent form at {page.url}: {text[:600]}") from exc


def _sign_up_then_allow(email: str, untick: tuple[str, ...] = ()):
    async def act(page) -> None:
        # A newcomer: /authorize → login → "Create an account" → back to the consent page.
        if "/login/" in page.url:
            await page.click("#signup-link")
            await page.fill("input[name=email]", email)
            await page.fill("input[name=password]", PASSWORD)
            await page.fill("input[name=password_again]", PASSWORD)
            await page.click("form button[type=submit]")
        await _consent_page(page)
        for scope in untick:
            await page.uncheck(f"input[name=granted_scopes][value='{scope}']")
        await page.click("#allow")

    return act


async def _call(base_url, provider, tool: str, arguments: dict | None = None):
    async with (
        httpx2.AsyncClient(auth=provider, timeout=httpx2.Timeout(60, read=120)) as http,
        streamable_http_client(f"{base_url}/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        if tool == "list_tools":
            return await session.list_tools()
        return await session.call_tool(tool, arguments or {})


def _raw_mcp_status(base_url: str, access_token: str) -> httpx2.Response:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "raw", "version": "1"},
        },
    }
    headers = {
        "Authorization": f"Bearer {access_token}",
        "Accept": "application/json, text/event-stream",
    }
    return httpx2.post(f"{base_url}/mcp", json=body, headers=headers, timeout=30)


def test_an_mcp_client_connects_through_the_browser_trains_refreshes_and_is_revoked(hub):
    from playwright.async_api import async_playwright

    base = hub["base_url"]

    async def go():
        async with async_playwright() as playwright:
            browser = await launch(playwright)
            person = await person_in(browser, _sign_up_then_allow("frank@example.com"))
            provider = provider_for(base, person, "SDK test assistant")
            storage = provider.context.storage

            # 1. Nothing but the URL: the first call is a 401 that starts the whole flow.
            tools = await _call(base, provider, "list_tools")
            names = {tool.name for tool in tools.tools}
            authorization_url = person.redirects[0]
            first_tokens = storage.tokens

            # 2. Train a model with the connection.
            started = structured(await _call(base, provider, "start_training", QUICK))
            final = structured(
                await _call(
                    base,
                    provider,
                    "monitor_training",
                    {"job_id": started["job"]["job_id"], "wait_seconds": 90},
                )
            )

            # 3. The access token expires: the SDK refreshes (the refresh token rotates).
            provider.context.token_expiry_time = time.time() - 1
            usage = structured(await _call(base, provider, "get_usage"))
            refreshed_tokens = storage.tokens

            # 4. Revoke (RFC 7009): the access token no longer opens /mcp.
            revoke = httpx2.post(
                f"{base}/revoke",
                data={
                    "token": refreshed_tokens.refresh_token,
                    "token_type_hint": "refresh_token",
                    "client_id": storage.client_info.client_id,
                },
                timeout=30,
            )
            after_revoke = _raw_mcp_status(base, refreshed_tokens.access_token)
            await browser.close()
            return {
                "names": names,
                "authorization_url": authorization_url,
                "first": first_tokens,
                "started": started,
                "final": final,
                "usage": usage,
                "refreshed": refreshed_tokens,
                "revoke": revoke,
                "after_revoke": after_revoke,
                "client_id": storage.client_info.client_id,
            }

    seen = asyncio.run(go())
    assert "resource=" in seen["authorization_url"]
    assert "code_challenge_method=S256" in seen["authorization_url"]
    assert {"start_training", "monitor_training", "get_usage"} <= seen["names"]
    assert seen["first"].access_token.startswith("asthub_oat_")
    assert seen["final"]["status"] == "succeeded", seen["final"]
    assert seen["usage"]["plan"] == "free"
    assert seen["refreshed"].refresh_token != seen["first"].refresh_token
    assert seen["refreshed"].access_token != seen["first"].access_token
    assert seen["revoke"].status_code == 200
    assert seen["after_revoke"].status_code == 401
    challenge = seen["after_revoke"].headers["www-authenticate"]
    assert (
        'resource_metadata="' in challenge and "/.well-known/oauth-protected-resource" in challenge
    )
    # The old access token died at refresh; nothing of this connection opens /mcp now.
    assert _raw_mcp_status(hub["base_url"], seen["first"].access_token).status_code == 401


GINAS_API_TOKEN = """
from accounts.models import User
from accounts.services import create_token
gina = User.objects.get(email="gina@example.com")
print(create_token(user=gina, name="cli", scopes=["jobs:read"])[1])
"""


def _cli(base_url: str, token: str, *argv: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = asthub_main(["--url", base_url, "--token", token, *argv])
    assert code == 0, out.getvalue()
    return out.getvalue()


def test_a_narrowed_grant_cannot_write_nor_reach_another_tenant_and_the_cli_disconnects_it(hub):
    from playwright.async_api import async_playwright

    base = hub["base_url"]
    # Bob's job, started with his pasted API token: it must not exist for Gina's grant.
    bobs_job = httpx2.post(
        f"{base}/api/v1/jobs/",
        json={**QUICK, "epochs": 1},
        headers={"Authorization": f"Bearer {hub['cast']['bob']}"},
        timeout=30,
    ).json()["id"]

    async def go():
        async with async_playwright() as playwright:
            browser = await launch(playwright)
            untick = ("jobs:write", "models:write", "billing:read", "billing:write")
            person = await person_in(browser, _sign_up_then_allow("gina@example.com", untick))
            provider = provider_for(base, person, "Read-only viewer")
            tools = await _call(base, provider, "list_tools")
            write = await _call(base, provider, "start_training", QUICK)
            other = await _call(base, provider, "monitor_training", {"job_id": bobs_job})
            listed = await _call(base, provider, "list_jobs")
            await browser.close()
            return tools, write, other, listed, provider.context.storage.tokens

    tools, write, other, listed, tokens = asyncio.run(go())
    # Gina sees the grant with the CLI (with a pasted API token) and disconnects it there.
    api_token = manage(hub["env"], "shell", "-c", GINAS_API_TOKEN).strip().splitlines()[-1]
    listed_apps = json.loads(_cli(base, api_token, "apps", "list", "--json"))
    disconnected = _cli(base, api_token, "apps", "revoke", str(listed_apps[0]["id"]))
    after = _raw_mcp_status(base, tokens.access_token)

    assert [(app["name"], app["scopes"]) for app in listed_apps] == [
        ("Read-only viewer", ["jobs:read"])
    ]
    assert listed_apps[0]["last_used_at"] is not None
    assert f"Disconnected app {listed_apps[0]['id']}" in disconnected
    assert after.status_code == 401
    assert tokens.scope == "jobs:read"
    assert "start_training" not in {tool.name for tool in tools.tools}
    assert write.is_error and "lacks the 'jobs:write' scope" in text_of(write)
    assert other.is_error and f"No training job {bobs_job}" in text_of(other)
    assert structured(listed)["jobs"] == []  # Gina has none; Bob's is not hers to list


def test_the_hubs_discovery_answers_what_the_sdk_needs(hub):
    base = hub["base_url"]
    unauthenticated = httpx2.post(f"{base}/mcp", json={}, timeout=30)
    assert unauthenticated.status_code == 401
    challenge = unauthenticated.headers["www-authenticate"]
    metadata_url = challenge.split('resource_metadata="')[1].split('"')[0]
    resource = httpx2.get(metadata_url, timeout=30).json()
    assert resource["resource"] == f"{base}/mcp"
    assert resource["authorization_servers"] == [base]
    assert "jobs:write" in resource["scopes_supported"]
    server = httpx2.get(f"{base}/.well-known/oauth-authorization-server", timeout=30).json()
    assert server["issuer"] == base
    assert server["registration_endpoint"] == f"{base}/register"
    assert server["code_challenge_methods_supported"] == ["S256"]
