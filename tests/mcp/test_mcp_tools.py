"""The MCP endpoint through the SDK's own client against the real hub (uvicorn, workers)."""

import asyncio
import json

import httpx
import pytest

from tests.live_hub import manage
from tests.mcp.mcp_client import mcp_session, structured, text_of

pytestmark = pytest.mark.slow

READ_TOOLS = {
    "monitor_training",
    "get_training_logs",
    "list_jobs",
    "compare_runs",
    "list_credentials",
    "list_publications",
    "list_share_links",
    "get_leaderboard",
    "list_catalog",
    "check_training",
}
ALL_TOOLS = READ_TOOLS | {
    "create_share_link",
    "revoke_share_link",
    "set_leaderboard_listing",
    "start_training",
    "cancel_training",
    "sync_model",
    "submit_to_competition",
    "create_model_card",
    "start_sweep",
    "get_usage",
    "create_collection",
    "deploy_dashboard",
}
QUICK = {"dataset": "digits", "model": "mlp", "epochs": 3}


def run(coro):
    return asyncio.run(coro)


async def call(hub, who: str, tool: str, arguments: dict | None = None):
    async with mcp_session(hub["base_url"], hub["cast"][who]) as session:
        return await session.call_tool(tool, arguments or {})


def error_of(result) -> str:
    assert result.is_error, f"expected a tool error, got {text_of(result)}"
    return text_of(result)


# --- discovery and scopes ---------------------------------------------------------------


def test_full_token_lists_every_tool_with_schemas_and_hints(hub):
    async def go():
        async with mcp_session(hub["base_url"], hub["cast"]["alice"]) as session:
            return (await session.list_tools()).tools

    tools = {tool.name: tool for tool in run(go())}
    assert set(tools) == ALL_TOOLS
    for tool in tools.values():
        assert tool.output_schema, tool.name
        assert tool.description and len(tool.description) > 60, tool.name
        assert tool.annotations is not None
    assert tools["list_jobs"].annotations.read_only_hint is True
    assert tools["cancel_training"].annotations.destructive_hint is True
    assert tools["start_training"].annotations.idempotent_hint is False
    assert "wait_seconds" in tools["monitor_training"].input_schema["properties"]


def test_read_only_token_sees_only_read_tools(hub):
    async def go():
        async with mcp_session(hub["base_url"], hub["cast"]["alice_read"]) as session:
            return (await session.list_tools()).tools

    tools = run(go())
    assert {tool.name for tool in tools} == READ_TOOLS
    assert all(tool.annotations.read_only_hint for tool in tools)


def test_calling_a_tool_outside_the_scopes_names_the_missing_scope(hub):
    message = error_of(run(call(hub, "alice_read", "start_training", QUICK)))
    assert "jobs:write" in message
    message = error_of(run(call(hub, "alice_read", "get_usage")))
    assert "billing:read" in message


# --- read tools -------------------------------------------------------------------------


def test_get_usage_shows_plan_limits_and_reset(hub):
    usage = structured(run(call(hub, "carol", "get_usage")))
    assert usage["plan"] == "free"
    assert usage["limits"]["monthly_jobs"]["limit"] == 10
    assert usage["resets_at"]


def test_list_credentials_names_providers_never_secrets(hub):
    hub["hf"].add_user("bob-hf", token="hf_supersecretvalue1234")
    manage(
        hub["env"],
        "shell",
        "-c",
        "from accounts.models import User; from accounts.services import add_credential, "
        "CredentialInput; add_credential(user=User.objects.get(email='bob@example.com'), "
        "data=CredentialInput(provider='huggingface', token='hf_supersecretvalue1234'))",
    )
    result = run(call(hub, "bob", "list_credentials"))
    answer = structured(result)
    assert answer["providers_connected"] == ["huggingface"]
    assert answer["credentials"][0]["last_four"] == "1234"
    assert "supersecret" not in json.dumps(answer) + text_of(result)


def test_unknown_job_is_not_found_everywhere(hub):
    for tool, arguments in [
        ("monitor_training", {"job_id": 987654}),
        ("cancel_training", {"job_id": 987654}),
        ("compare_runs", {"ast_run_id": 987654}),
        ("create_model_card", {"run_id": 987654}),
        ("sync_model", {"job_id": 987654}),
    ]:
        message = error_of(run(call(hub, "alice", tool, arguments)))
        assert "No training job 987654" in message and "[not_found]" in message, tool


# --- start, errors, quotas --------------------------------------------------------------


def test_invalid_config_is_a_tool_error(hub):
    bad_range = error_of(
        run(call(hub, "alice", "start_training", {**QUICK, "ast_config": {"kp": -1}}))
    )
    assert "ast_config.kp: Input should be greater than or equal to 0" in bad_range
    assert "pydantic" not in bad_range and "[invalid]" in bad_range
    misspelt = error_of(run(call(hub, "alice", "start_training", {**QUICK, "learning_rte": 1})))
    assert "Unknown field(s): learning_rte" in misspelt
    local_file = error_of(
        run(call(hub, "alice", "start_training", {**QUICK, "dataset": "npz:/etc/passwd"}))
    )
    assert "names a path" in local_file and "[invalid]" in local_file
    no_repo = error_of(run(call(hub, "alice", "start_training", {**QUICK, "auto_upload_hf": True})))
    assert "hf_repo" in no_repo
    unknown_key = error_of(
        run(call(hub, "alice", "start_sweep", {"grid": {"colour": [1, 2]}, **QUICK}))
    )
    assert "colour" in unknown_key


def test_unknown_remote_hardware_is_refused_naming_the_choices(hub):
    arguments = {**QUICK, "platform": "kaggle", "hardware": "quantum-annealer"}
    message = error_of(run(call(hub, "alice", "start_training", arguments)))
    assert "quantum-annealer" in message and "t4" in message


def test_over_quota_is_a_tool_error_an_assistant_can_act_on(hub):
    run(call(hub, "carol", "start_training", {**QUICK, "epochs": 200}))
    message = error_of(run(call(hub, "carol", "start_training", QUICK)))
    assert "1 job(s) at a time" in message and "quota_exceeded" in message


def test_rate_limit_per_token_as_on_rest(hub):
    # dave's plan allows 3 requests a minute; 7 quick calls overflow a window even if
    # they straddle a minute boundary.
    async def go():
        async with mcp_session(hub["base_url"], hub["cast"]["dave"]) as session:
            return [await session.call_tool("get_usage", {}) for _ in range(7)]

    results = run(go())
    assert not results[0].is_error
    refused = [text_of(r) for r in results if r.is_error]
    assert refused and all("[rate_limited]" in text and "retry in" in text for text in refused)


def test_start_and_cancel_a_job(hub):
    started = structured(run(call(hub, "alice", "start_training", {**QUICK, "epochs": 50})))
    job_id = started["job"]["job_id"]
    assert started["job"]["status"] == "queued"
    for not_a_boolean in (0, "no"):
        refused = error_of(
            run(call(hub, "alice", "cancel_training", {"job_id": job_id, "confirm": not_a_boolean}))
        )
        assert "confirm" in refused and "[invalid]" in refused
    past_64_bits = error_of(run(call(hub, "alice", "monitor_training", {"job_id": 2**64})))
    assert "job_id" in past_64_bits and "[invalid]" in past_64_bits
    cancelled = structured(run(call(hub, "alice", "cancel_training", {"job_id": job_id})))
    assert cancelled["status"] == "cancelled"
    again = error_of(run(call(hub, "alice", "cancel_training", {"job_id": job_id})))
    assert "already cancelled" in again


def test_sweep_starts_one_job_per_point(hub):
    grid = {"target_activation_rate": [0.3, 0.6]}
    sweep = structured(
        run(call(hub, "bob", "start_sweep", {"grid": grid, **QUICK, "epochs": 1, "name": "s"}))
    )
    assert len(sweep["job_ids"]) == 2
    listed = structured(run(call(hub, "bob", "list_jobs", {})))
    assert set(sweep["job_ids"]) <= {job["job_id"] for job in listed["jobs"]}


def test_sync_model_of_an_unfinished_run_says_why_and_publishes_nothing(hub):
    job_id = structured(run(call(hub, "alice", "start_training", QUICK)))["job"]["job_id"]
    message = error_of(run(call(hub, "alice", "sync_model", {"job_id": job_id})))
    assert "only succeeded runs can be published" in message
    # The shared hub's alice may have published other runs in earlier tests.
    listed = structured(run(call(hub, "alice", "list_publications", {"job_id": job_id})))
    assert listed["publications"] == []


# --- tenants ----------------------------------------------------------------------------


def test_alice_and_bob_concurrently_see_only_their_own_jobs(hub):
    async def tenant(who: str):
        async with mcp_session(hub["base_url"], hub["cast"][who]) as session:
            started = await session.call_tool("start_training", {**QUICK, "name": who})
            job_id = structured(started)["job"]["job_id"]
            listings = await asyncio.gather(*[session.call_tool("list_jobs", {}) for _ in range(5)])
            return job_id, [structured(result)["jobs"] for result in listings]

    async def both():
        return await asyncio.gather(tenant("alice"), tenant("bob"))

    (alice_job, alice_lists), (bob_job, bob_lists) = run(both())
    for jobs in alice_lists:
        assert alice_job in {job["job_id"] for job in jobs}
        assert bob_job not in {job["job_id"] for job in jobs}
        assert all(job["name"] != "bob" for job in jobs)
    for jobs in bob_lists:
        assert bob_job in {job["job_id"] for job in jobs}
        assert alice_job not in {job["job_id"] for job in jobs}
    assert "No training job" in error_of(
        run(call(hub, "bob", "monitor_training", {"job_id": alice_job}))
    )
    assert "No training job" in error_of(
        run(call(hub, "bob", "cancel_training", {"job_id": alice_job}))
    )


# --- HTTP level: auth, metadata, DNS rebinding ------------------------------------------


def test_revoked_token_is_refused_with_401_on_the_next_call(hub):
    made = manage(
        hub["env"],
        "shell",
        "-c",
        "from accounts.models import User; from accounts.services import create_token; "
        "t, raw = create_token(user=User.objects.get(email='alice@example.com'), "
        "name='short-lived', scopes=['jobs:read']); print(t.pk, raw)",
    )
    token_id, raw = made.split()[-2:]

    async def go():
        async with mcp_session(hub["base_url"], raw) as session:
            assert not (await session.call_tool("list_jobs", {})).is_error
            await asyncio.to_thread(
                manage,
                hub["env"],
                "shell",
                "-c",
                "from accounts.models import User; from accounts.services import revoke_token; "
                "revoke_token(user=User.objects.get(email='alice@example.com'), "
                f"token_id={token_id})",
            )
            with pytest.raises(Exception):  # noqa: B017  (the client surfaces the 401)
                await session.call_tool("list_jobs", {})

    run(go())
    response = httpx.post(
        f"{hub['base_url']}/mcp",
        headers={"Authorization": f"Bearer {raw}", "Accept": "application/json"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert response.status_code == 401
    assert "Bearer" in response.headers["www-authenticate"]


def test_expired_token_is_refused_with_401(hub):
    made = manage(
        hub["env"],
        "shell",
        "-c",
        "from datetime import timedelta; from django.utils import timezone; "
        "from accounts.models import ApiToken, User; from accounts.services import create_token; "
        "t, raw = create_token(user=User.objects.get(email='bob@example.com'), "
        "name='expired', scopes=['jobs:read']); "
        "ApiToken.objects.filter(pk=t.pk).update(expires_at=timezone.now() - timedelta(1)); "
        "print(raw)",
    )
    response = httpx.post(
        f"{hub['base_url']}/mcp",
        headers={"Authorization": f"Bearer {made.split()[-1]}", "Accept": "application/json"},
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert response.status_code == 401


def test_no_token_gets_401_pointing_at_the_resource_metadata(hub):
    response = httpx.post(f"{hub['base_url']}/mcp", json={})
    assert response.status_code == 401
    assert "oauth-protected-resource" in response.headers["www-authenticate"]


def test_protected_resource_metadata_is_served(hub):
    response = httpx.get(f"{hub['base_url']}/.well-known/oauth-protected-resource/mcp")
    assert response.status_code == 200
    metadata = response.json()
    assert metadata["resource"].endswith("/mcp")
    assert metadata["authorization_servers"]


def test_unknown_host_header_is_refused_with_421(hub):
    response = httpx.post(
        f"{hub['base_url']}/mcp",
        headers={
            "Authorization": f"Bearer {hub['cast']['alice']}",
            "Host": "evil.example:80",
            "Accept": "application/json, text/event-stream",
        },
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
    )
    assert response.status_code == 421


def test_trailing_slash_path_reaches_the_same_endpoint(hub):
    async def go():
        async with mcp_session(hub["base_url"], hub["cast"]["alice"], path="/mcp/") as session:
            return (await session.list_tools()).tools

    assert {tool.name for tool in run(go())} == ALL_TOOLS


def test_django_still_serves_everything_else(hub):
    assert httpx.get(f"{hub['base_url']}/healthz").status_code == 200


# --- a real run, followed live ----------------------------------------------------------


def test_monitor_training_streams_progress_until_the_run_finishes(hub):
    notes: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress, total, message):
        notes.append((progress, total, message))

    async def go():
        async with mcp_session(hub["base_url"], hub["cast"]["alice"]) as session:
            started = await session.call_tool("start_training", {**QUICK, "name": "watched"})
            job_id = structured(started)["job"]["job_id"]
            final = await session.call_tool(
                "monitor_training",
                {"job_id": job_id, "wait_seconds": 240},
                progress_callback=on_progress,
            )
            return job_id, structured(final)

    job_id, final = run(go())
    assert final["status"] == "succeeded", final
    assert final["finished"] is True and final["epoch"] == 3
    assert final["accuracy"] is not None and final["activation_rate"] is not None
    assert len(notes) >= 2, notes
    assert notes[-1][0] == 3 and notes[-1][1] == 3
    assert [n[0] for n in notes] == sorted(n[0] for n in notes)

    comparison = structured(run(call(hub, "alice", "compare_runs", {"ast_run_id": job_id})))
    assert comparison["estimated"] is True and "|" in comparison["markdown"]
    card = structured(
        run(call(hub, "alice", "create_model_card", {"run_id": job_id, "template": "research"}))
    )
    assert card["job_id"] == job_id and card["markdown"].strip()
    assert "not_found" in error_of(run(call(hub, "bob", "compare_runs", {"ast_run_id": job_id})))


def test_monitor_training_returns_at_the_timeout_for_a_slow_job(hub):
    async def go():
        async with mcp_session(hub["base_url"], hub["cast"]["bob"]) as session:
            started = await session.call_tool("start_training", {**QUICK, "epochs": 500})
            job_id = structured(started)["job"]["job_id"]
            answer = await session.call_tool(
                "monitor_training", {"job_id": job_id, "wait_seconds": 2}
            )
            await session.call_tool("cancel_training", {"job_id": job_id})
            return structured(answer)

    answer = run(go())
    assert answer["finished"] is False and 1 <= answer["waited_seconds"] <= 4
