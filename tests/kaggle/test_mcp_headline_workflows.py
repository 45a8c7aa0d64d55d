"""The product's own examples, driven by an assistant through MCP on the real hub (uvicorn,
Celery worker and beat) against the local Kaggle and Hugging Face, whose jobs run the real
engine in a clean environment:

- "Train for the Kaggle Titanic competition, submit, publish": a run on a Titanic-like
  competition writes submission.csv from the test file, the submission is scored against
  the hidden answers and the card shows the public score;
- the same for a plant-pathology-like image competition (probabilities per class);
- "Start AST training on Kaggle using ResNet50 on ImageNet-100, then auto-upload to
  Hugging Face when done": the data set attached in its own layout, a pretrained ResNet50,
  the model on the Hub with its card, gathered into a collection;
- a cancelled kernel, and a failed one whose reason is the engine's own error.
"""

import asyncio
import json
import time

import pytest
import torch

from jobs.training.vision import torchvision_module
from tests.fakes.huggingface import FakeHuggingFace
from tests.fakes.kaggle import running_fake
from tests.kaggle.competition_data import imagenet100_like, plant_pathology_like, titanic_like
from tests.live_hub import embedded_env, manage, running_hub
from tests.mcp.mcp_client import mcp_session, structured, text_of

pytestmark = pytest.mark.slow

KAGGLE_TOKEN = "KGAT_headline_alice_0123456789"
MAKE_ALICE = """
import json
from accounts.services import CredentialInput, add_credential, create_token, sign_up
from billing.services import change_plan
user = sign_up(email="alice@example.com", password="a long passphrase 123")
change_plan(user=user, plan="pro")
add_credential(user=user, data=CredentialInput(provider="kaggle", token={kaggle!r}))
add_credential(user=user, data=CredentialInput(provider="huggingface", token={hf!r}))
print(json.dumps(create_token(user=user, name="mcp", scopes=["jobs:read", "jobs:write",
      "models:write", "billing:read"])[1]))
"""


def _stand_in_weights(folder) -> None:
    """What downloading ResNet50's ImageNet weights leaves in TORCH_HOME, for the fake's
    kernels with internet on: a file of the architecture's shape under its own name."""
    torchvision = torchvision_module()
    weights = torchvision.models.get_model_weights("resnet50").DEFAULT
    checkpoints = folder / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.manual_seed(0)
    torch.save(
        torchvision.models.resnet50().state_dict(), checkpoints / weights.url.rsplit("/", 1)[-1]
    )


@pytest.fixture(scope="module")
def platforms(tmp_path_factory):
    titanic, titanic_solution = titanic_like()
    plants, plants_solution = plant_pathology_like()
    internet = tmp_path_factory.mktemp("kaggle-internet-cache")
    _stand_in_weights(internet)
    hf = FakeHuggingFace().start()
    hf_token = hf.add_user("alice-hf")
    try:
        with running_fake() as kaggle:
            kaggle.add_user("alice-kg", token=KAGGLE_TOKEN)
            kaggle.add_competition("titanic", accepted={"alice-kg"}, files=titanic,
                                   solution=titanic_solution, scoring_seconds=0.5)  # fmt: skip
            kaggle.add_competition("plant-pathology-2020-fgvc7", accepted={"alice-kg"},
                                   files=plants, solution=plants_solution)  # fmt: skip
            kaggle.add_dataset("ambityga", "imagenet100", imagenet100_like())
            kaggle.downloads = internet
            kaggle.run_engine()
            var_dir = tmp_path_factory.mktemp("headline-hub")
            extra = {
                "KAGGLE_API_BASE": kaggle.base_url,
                "HF_ENDPOINT": hf.url,
                "REMOTE_POLL_INTERVAL_SECONDS": "1",
            }
            with running_hub(var_dir, **extra) as hub:
                env = embedded_env(var_dir, **extra)
                script = MAKE_ALICE.format(kaggle=KAGGLE_TOKEN, hf=hf_token)
                token = json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])
                yield hub | {"kaggle": kaggle, "hf": hf, "token": token}
    finally:
        hf.stop()


def call(hub, tool: str, arguments: dict):
    async def go():
        async with mcp_session(hub["base_url"], hub["token"]) as session:
            return await session.call_tool(tool, arguments)

    return asyncio.run(go())


def run_to_the_end(hub, spec: dict, wait: int = 300) -> dict:
    started = structured(call(hub, "start_training", spec))
    job_id = started["job"]["job_id"]
    progress = structured(call(hub, "monitor_training", {"job_id": job_id, "wait_seconds": wait}))
    assert progress["finished"], progress
    return progress


def submit(hub, job_id: int, competition: str) -> dict:
    return structured(call(hub, "submit_to_competition", {
        "run_id": job_id, "competition": competition, "file": "submission.csv",
        "wait_seconds": 60,
    }))  # fmt: skip


def test_titanic_run_submits_its_predictions_and_the_card_shows_the_score(platforms):
    done = run_to_the_end(platforms, {
        "platform": "kaggle", "dataset": "competition:titanic/train.csv:Survived",
        "model": "mlp", "epochs": 8, "learning_rate": 0.01, "name": "titanic",
    })  # fmt: skip
    assert done["status"] == "succeeded", done["failure_reason"]
    assert "submission.csv" in {output["name"] for output in done["outputs"]}
    submission = submit(platforms, done["job_id"], "titanic")
    assert submission["status"] == "complete", submission
    # Women and first class survive in the stand-in, as on the Titanic: a model that read
    # the strings (Sex) beats guessing by far.
    assert float(submission["public_score"]) >= 0.75
    card = structured(call(platforms, "create_model_card", {"run_id": done["job_id"]}))
    assert submission["public_score"] in card["markdown"]


def test_plant_pathology_run_submits_class_probabilities(platforms):
    done = run_to_the_end(platforms, {
        "platform": "kaggle", "dataset": "plant-pathology-2020-fgvc7", "model": "cnn",
        "hardware": "t4", "epochs": 6, "image_size": 16, "batch_size": 16,
        "learning_rate": 0.01,
    })  # fmt: skip
    assert done["status"] == "succeeded", done["failure_reason"]
    submission = submit(platforms, done["job_id"], "plant-pathology-2020-fgvc7")
    assert submission["status"] == "complete", submission
    assert float(submission["public_score"]) > 0.8  # mean column-wise ROC AUC


def test_resnet50_on_imagenet_100_from_kaggle_lands_on_the_hub_with_card_and_collection(
    platforms,
):
    done = run_to_the_end(platforms, {
        "platform": "kaggle", "hardware": "t4", "dataset": "imagenet-100",
        "model": "resnet50", "pretrained": True, "epochs": 2, "image_size": 32,
        "batch_size": 8, "auto_upload_hf": True, "hf_repo": "alice-hf/resnet50-imagenet100-ast",
    })  # fmt: skip
    assert done["status"] == "succeeded", done["failure_reason"]
    kernel = platforms["kaggle"].kernel("alice-kg", f"ast-hub-job-{done['job_id']}")
    request = kernel.versions[0].request
    assert request["datasetDataSources"] == ["ambityga/imagenet100"]
    assert request["enableInternet"] is True  # the weights download at the start
    upload = automatic_upload(platforms, done["job_id"])
    assert upload["status"] == "succeeded", upload
    files = platforms["hf"].files("alice-hf/resnet50-imagenet100-ast")
    assert "model.safetensors" in files
    card = files["README.md"].decode()
    assert "fine-tuning" in card and "resnet50" in card
    collection = structured(call(platforms, "create_collection", {
        "title": "AST ImageNet-100", "job_ids": [done["job_id"]],
    }))  # fmt: skip
    assert [item["repo_id"] for item in collection["items"]] == [
        "alice-hf/resnet50-imagenet100-ast"
    ]
    # Private, as its model is: a public collection would show visitors nothing of it.
    assert collection["private"] is True
    assert platforms["hf"].collections[collection["slug"]].private


def automatic_upload(hub, job_id: int, seconds: float = 120) -> dict:
    """auto_upload_hf's publication, once it has finished (it starts when the run ends)."""
    deadline = time.monotonic() + seconds
    while True:
        found = structured(call(hub, "list_publications", {"job_id": job_id}))["publications"]
        if found and found[0]["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            assert found, "auto_upload_hf made no publication"
            return found[0]
        time.sleep(1)


def test_a_cancelled_kernel_ends_at_its_session_limit_and_the_user_is_told_when(platforms):
    started = structured(call(platforms, "start_training", {
        "platform": "kaggle", "dataset": "digits", "model": "mlp", "epochs": 500,
    }))  # fmt: skip
    job_id = started["job"]["job_id"]
    structured(call(platforms, "monitor_training", {"job_id": job_id, "wait_seconds": 5}))
    refused = call(platforms, "cancel_training", {"job_id": job_id})
    assert refused.is_error and "confirm" in text_of(refused)
    assert "at the latest" in text_of(refused)  # Kaggle ends it at its session limit
    done = structured(call(platforms, "cancel_training", {"job_id": job_id, "confirm": True}))
    assert done["status"] == "cancelled"
    kernel = platforms["kaggle"].kernel("alice-kg", f"ast-hub-job-{job_id}")
    assert 0 < kernel.versions[0].request["sessionTimeoutSeconds"] <= 12 * 3600


def test_a_failed_kernel_says_what_the_engine_said(platforms):
    done = run_to_the_end(platforms, {
        "platform": "kaggle", "dataset": "competition:titanic/train.csv:Survival",
        "model": "mlp", "epochs": 2,
    })  # fmt: skip
    assert done["status"] == "failed"
    assert "Survival" in done["failure_reason"]
    assert "label column" in done["failure_reason"]
