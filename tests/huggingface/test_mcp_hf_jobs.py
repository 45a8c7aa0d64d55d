"""End to end: an assistant trains on HF Jobs through MCP against the real hub (uvicorn,
Celery worker and beat) pointed at the fake Hub, and watches the metrics stream in."""

import asyncio
import json

import pytest

from tests.fakes.huggingface import FakeHuggingFace
from tests.live_hub import embedded_env, manage, running_hub
from tests.mcp.mcp_client import mcp_session, structured, text_of

pytestmark = pytest.mark.slow

MAKE_ALICE = """
import json
from accounts.services import CredentialInput, add_credential, create_token, sign_up
user = sign_up(email="alice@example.com", password="a long passphrase 123")
add_credential(user=user, data=CredentialInput(provider="huggingface", token="{hf_token}"))
_, raw = create_token(user=user, name="mcp", scopes=["jobs:read", "jobs:write", "models:write"])
print(json.dumps({{"token": raw}}))
"""


@pytest.fixture(scope="module")
def hub_with_fake(tmp_path_factory):
    fake = FakeHuggingFace().start()
    hf_token = fake.add_user("alice-hf")
    var_dir = tmp_path_factory.mktemp("hf-mcp-hub")
    # A public-looking address: a dashboard Space must be able to reach the hub.
    extra = {
        "HF_ENDPOINT": fake.url,
        "REMOTE_POLL_INTERVAL_SECONDS": "1",
        "PUBLIC_BASE_URL": "http://hub.example.com",
    }
    try:
        with running_hub(var_dir, **extra) as running:
            env = embedded_env(var_dir, **extra)
            out = manage(env, "shell", "-c", MAKE_ALICE.format(hf_token=hf_token))
            running["token"] = json.loads(out.strip().splitlines()[-1])["token"]
            running["fake"] = fake
            running["hf_token"] = hf_token
            yield running
    finally:
        fake.stop()


def test_train_on_hf_jobs_through_mcp_and_watch_metrics_stream(hub_with_fake):
    notes = []

    async def on_progress(progress, total, message):
        notes.append((progress, total, message))

    async def go():
        async with mcp_session(hub_with_fake["base_url"], hub_with_fake["token"]) as session:
            started = await session.call_tool(
                "start_training",
                {"dataset": "digits", "model": "mlp", "epochs": 3, "platform": "huggingface"},
            )
            job_id = structured(started)["job"]["job_id"]
            final = await session.call_tool(
                "monitor_training",
                {"job_id": job_id, "wait_seconds": 240},
                progress_callback=on_progress,
            )
            comparison = await session.call_tool("compare_runs", {"ast_run_id": job_id})
            # The HF job's outputs, published to the Hub, then gathered into a collection.
            published = await session.call_tool(
                "sync_model",
                {"job_id": job_id, "to_platform": "huggingface", "target_ref": "digits-ast"},
            )
            collection = await session.call_tool(
                "create_collection", {"title": "AST-CIFAR100", "job_ids": [job_id]}
            )
            dashboard = await session.call_tool(
                "deploy_dashboard", {"job_ids": [job_id], "space": "ast-live"}
            )
            answers = (final, comparison, published, collection, dashboard)
            return job_id, [structured(answer) for answer in answers]

    job_id, (final, comparison, published, collection, dashboard) = asyncio.run(go())
    assert final["status"] == "succeeded", final
    assert final["epoch"] == 3 and final["accuracy"] is not None
    assert final["cost_usd"] is not None and final["cost_usd"] > 0
    # Progress arrived epoch by epoch while the HF job ran, read from its log stream.
    epochs_seen = [note[0] for note in notes]
    assert epochs_seen == sorted(epochs_seen) and epochs_seen[-1] == 3 and len(notes) >= 2
    assert "hf-jobs cpu-basic" in json.dumps(comparison)

    fake = hub_with_fake["fake"]
    [remote] = fake.jobs.values()
    assert remote.stage == "COMPLETED"
    assert remote.spec["secrets"] == {"HF_TOKEN": hub_with_fake["hf_token"]}
    assert "model.safetensors" in fake.files(f"alice-hf/asthub-job-{job_id}")

    assert published["status"] == "succeeded", published
    assert published["revision"] == fake.repo("alice-hf/digits-ast").head.oid
    assert {"README.md", "model.safetensors"} <= set(fake.files("alice-hf/digits-ast"))
    assert [item["repo_id"] for item in collection["items"]] == ["alice-hf/digits-ast"]
    space = fake.repo("alice-hf/ast-live", repo_type="space")
    assert dashboard["space_id"] == "alice-hf/ast-live" and "app.py" in space.head.files
    assert space.secrets["ASTHUB_SHARE_TOKEN"].startswith("asthub_share_")


def test_unknown_flavor_is_a_tool_error_naming_the_flavors(hub_with_fake):
    async def go():
        async with mcp_session(hub_with_fake["base_url"], hub_with_fake["token"]) as session:
            return await session.call_tool(
                "start_training", {"platform": "huggingface", "hardware": "v100", "epochs": 1}
            )

    result = asyncio.run(go())
    assert result.is_error and "cpu-basic" in text_of(result) and "a100-large" in text_of(result)
