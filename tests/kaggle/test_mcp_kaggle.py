"""Kaggle through MCP on the real hub (uvicorn, Celery worker and beat, embedded SQLite),
with the hub's Kaggle base address pointed at the local Kaggle running the real engine:
an assistant starts an AST run, watches its metrics arrive through the log stream,
writes the card and publishes the model to Kaggle Models; cancelling asks to confirm."""

import asyncio
import json
import time

import pytest

from tests.fakes.kaggle import running_fake
from tests.live_hub import embedded_env, manage, running_hub
from tests.mcp.mcp_client import mcp_session, structured, text_of

pytestmark = pytest.mark.slow

TOKEN = "KGAT_mcp_alice_0123456789"
MAKE_ALICE = f"""
import json
TOKEN = {TOKEN!r}
from accounts.services import CredentialInput, add_credential, create_token, sign_up
from billing.services import change_plan
user = sign_up(email="alice@example.com", password="a long passphrase 123")
change_plan(user=user, plan="pro")
add_credential(user=user, data=CredentialInput(provider="kaggle", token=TOKEN))
print(json.dumps(create_token(user=user, name="mcp", scopes=["jobs:read", "jobs:write",
      "models:write", "billing:read"])[1]))
"""


@pytest.fixture(scope="module")
def kaggle_hub(tmp_path_factory):
    with running_fake() as fake:
        fake.add_user("alice-kg", token=TOKEN)
        fake.run_engine()
        var_dir = tmp_path_factory.mktemp("kaggle-hub")
        extra = {"KAGGLE_API_BASE": fake.base_url, "REMOTE_POLL_INTERVAL_SECONDS": "1"}
        with running_hub(var_dir, **extra) as hub:
            env = embedded_env(var_dir, **extra)
            token = json.loads(manage(env, "shell", "-c", MAKE_ALICE).strip().splitlines()[-1])
            yield hub | {"fake": fake, "token": token}


def call(hub, tool: str, arguments: dict):
    async def go():
        async with mcp_session(hub["base_url"], hub["token"]) as session:
            return await session.call_tool(tool, arguments)

    return asyncio.run(go())


def test_assistant_trains_on_kaggle_watches_it_and_publishes_to_kaggle_models(kaggle_hub):
    fake = kaggle_hub["fake"]
    started = structured(call(kaggle_hub, "start_training", {
        "platform": "kaggle", "dataset": "digits", "model": "mlp", "epochs": 3,
        "hardware": "t4x2", "name": "digits on kaggle",
    }))  # fmt: skip
    job_id = started["job"]["job_id"]
    assert started["job"]["platform"] == "kaggle" and started["job"]["hardware"] == "t4"
    progress = structured(call(kaggle_hub, "monitor_training", {"job_id": job_id,
                                                                "wait_seconds": 240}))  # fmt: skip
    assert progress["status"] == "succeeded", progress
    assert progress["epoch"] == 3 and progress["accuracy"] > 0.5
    kernel = fake.kernel("alice-kg", f"ast-hub-job-{job_id}")
    assert kernel.versions[0].request["machineShape"] == "NvidiaTeslaT4"
    card = structured(call(kaggle_hub, "create_model_card", {"run_id": job_id}))
    assert "co2_eq_emissions" in card["markdown"]
    published = structured(call(kaggle_hub, "sync_model", {
        "job_id": job_id, "to_platform": "kaggle", "target_ref": "digits-on-kaggle",
        "wait_seconds": 120,
    }))  # fmt: skip
    assert published["status"] == "succeeded", published
    assert published["published_ref"] == "alice-kg/digits-on-kaggle/pyTorch/default"
    instance = fake.models[("alice-kg", "digits-on-kaggle")]["instances"]
    files = instance[("MODEL_FRAMEWORK_PY_TORCH", "default")]["versions"][0]
    assert files["model.safetensors"][:8] and "README.md" in files


def test_assistant_is_told_kaggle_cannot_stop_a_run_and_may_confirm(kaggle_hub):
    started = structured(call(kaggle_hub, "start_training", {
        "platform": "kaggle", "dataset": "digits", "model": "mlp", "epochs": 200,
    }))  # fmt: skip
    job_id = started["job"]["job_id"]
    structured(call(kaggle_hub, "monitor_training", {"job_id": job_id, "wait_seconds": 5}))
    refused = call(kaggle_hub, "cancel_training", {"job_id": job_id})
    if refused.is_error:  # launched: Kaggle cannot stop it
        assert "API cannot stop a running kernel" in text_of(refused)
        done = structured(call(kaggle_hub, "cancel_training", {"job_id": job_id,
                                                               "confirm": True}))  # fmt: skip
    else:  # still queued on the hub: nothing ran on Kaggle
        done = structured(refused)
    assert done["status"] == "cancelled"


def test_assistant_reads_why_a_kernel_failed_from_its_traceback(kaggle_hub):
    fake = kaggle_hub["fake"]
    fake.run_manually()
    try:
        started = structured(call(kaggle_hub, "start_training", {
            "platform": "kaggle", "dataset": "digits", "model": "mlp", "epochs": 2,
        }))  # fmt: skip
        job_id = started["job"]["job_id"]
        deadline = time.monotonic() + 60  # the hub's worker saves the kernel
        while ("alice-kg", f"ast-hub-job-{job_id}") not in fake.kernels:
            assert time.monotonic() < deadline, "the kernel was never saved"
            time.sleep(0.2)
        run = fake.run_of("alice-kg", f"ast-hub-job-{job_id}")
        run.start()
        run.emit("Traceback (most recent call last):\n  File \"job.py\", line 9, in <module>\n"
                 "    train()\nMemoryError: cannot allocate 12 GiB\n", stream="stderr")  # fmt: skip
        run.fail("")
        watch = {"job_id": job_id, "wait_seconds": 60}
        progress = structured(call(kaggle_hub, "monitor_training", watch))
    finally:
        fake.run_engine()
    assert progress["status"] == "failed", progress
    assert "MemoryError: cannot allocate 12 GiB" in progress["failure_reason"]
    assert f"ast-hub-job-{job_id}" in progress["failure_reason"].splitlines()[-1]
