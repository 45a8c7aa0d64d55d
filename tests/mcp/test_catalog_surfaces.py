"""Finding data sets and models on every surface: GET /api/v1/catalog, the MCP tool
list_catalog, `asthub catalog`, and the portal's catalog page and New job picker."""

import asyncio
import contextlib
import io

import httpx
import pytest

from asthub_client.cli import main as asthub_main
from tests.mcp.mcp_client import mcp_session, structured
from tests.mcp.surfaces import Portal

pytestmark = pytest.mark.slow


def _catalog(hub, token=None, **params):
    headers = {"Authorization": f"Bearer {token or hub['cast']['alice']}"}
    return httpx.get(f"{hub['base_url']}/api/v1/catalog", params=params, headers=headers)


def test_rest_catalog_filters_by_kind_platform_and_text(hub):
    imagenet = _catalog(hub, q="imagenet").json()
    [entry] = [e for e in imagenet["results"] if e["name"] == "imagenet-100"]
    assert entry["platforms"]["kaggle"]["fetch"] == "kaggle:ambityga/imagenet100"
    assert entry["platforms"]["huggingface"]["fetch"] == "hf:clane9/imagenet-100"
    assert "local" in entry["unavailable"]
    assert imagenet["generated_for"]["torchvision"] == "0.28.0"

    models = _catalog(hub, kind="model", q="resnet50", page_size=5).json()
    assert models["results"][0]["name"] == "resnet50" and len(models["results"]) == 5
    assert models["count"] > 5 and models["next"]

    kaggle_sets = {
        e["name"] for e in _catalog(hub, kind="dataset", platform="kaggle").json()["results"]
    }
    assert "imagenet-100" in kaggle_sets and "cifar10" not in kaggle_sets


def test_rest_catalog_refuses_bad_filters_and_strangers(hub):
    assert _catalog(hub, kind="weights").status_code == 400
    assert _catalog(hub, platform="colab").status_code == 400
    assert _catalog(hub, q="x" * 101).status_code == 400
    assert httpx.get(f"{hub['base_url']}/api/v1/catalog").status_code == 401


def test_mcp_list_catalog_finds_models_with_what_they_need(hub):
    async def go():
        async with mcp_session(hub["base_url"], hub["cast"]["alice_read"]) as session:
            return await session.call_tool(
                "list_catalog", {"query": "vit_l_16", "kind": "model", "limit": 3}
            )

    answer = structured(asyncio.run(go()))
    first = answer["entries"][0]
    assert first["name"] == "vit_l_16"
    assert first["needs"] == {"gpu": True, "packages": ["torchvision"], "min_plan": "pro"}
    assert first["params_millions"] > 100 and answer["count"] >= 1


def test_cli_catalog_prints_the_matches(hub):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = asthub_main(
            ["--url", hub["base_url"], "--token", hub["cast"]["alice"], "catalog", "imagenet"]
        )
    assert code == 0
    assert "imagenet-100" in out.getvalue() and "kaggle, huggingface" in out.getvalue()


def test_portal_catalog_page_and_new_job_picker(hub):
    portal = Portal(hub, "alice@example.com")
    try:
        page = portal.http.get("/portal/catalog/", params={"q": "imagenet"}).text
        assert "imagenet-100" in page and "kaggle:ambityga/imagenet100" in page
        new_job = portal.http.get("/portal/jobs/new/").text
        assert 'list="catalog-models"' in new_job and '<option value="resnet18">' in new_job
    finally:
        portal.close()
