"""The Hub extras' MCP tools called in this process as the token's user: a collection's
visibility, and a dashboard refused when no Space could reach the hub."""

import asyncio

import pytest
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver.exceptions import ToolError

from jobs.models import Publication, PublicationStatus, ShareToken
from jobs.platforms.huggingface.client import hub_api
from mcp_gateway.tools.publishing import create_collection, deploy_dashboard
from tests.sharing.factories import stored_job

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def mcp_db_threads_closed():
    """The MCP database threads keep their connections; close them so the test database
    can be dropped."""
    yield
    from mcp_gateway.db import close_pool_connections

    close_pool_connections()


def _as(user, coroutine_function, **arguments):
    async def call():
        token = AccessToken(
            token="test", client_id="test", scopes=["models:write"], subject=str(user.pk)
        )
        reset = auth_context_var.set(AuthenticatedUser(token))
        try:
            return await coroutine_function(**arguments)
        finally:
            auth_context_var.reset(reset)

    return asyncio.run(call())


def test_mcp_collection_of_a_private_model_is_private_unless_public_is_asked_for(
    alice, connect_hf, hf_hub
):
    token = connect_hf(alice, "alice-hf")
    hub_api(token).create_repo("alice-hf/secret-ast", private=True)
    job = stored_job(alice)
    Publication.objects.create(
        owner=alice,
        job=job,
        source_platform="local",
        target_platform="huggingface",
        status=PublicationStatus.SUCCEEDED,
        published_ref="alice-hf/secret-ast",
    )
    default = _as(alice, create_collection, title="zoo", job_ids=[job.pk])
    public = _as(alice, create_collection, title="open zoo", job_ids=[job.pk], private=False)
    assert hf_hub.collections[default.slug].private
    assert not hf_hub.collections[public.slug].private
    assert [item.repo_id for item in public.items] == ["alice-hf/secret-ast"]


def test_mcp_deploy_dashboard_refuses_a_hub_a_space_cannot_reach(
    alice, connect_hf, hf_hub, settings
):
    settings.PUBLIC_BASE_URL = "http://192.168.1.20:8000"
    connect_hf(alice, "alice-hf")
    job = stored_job(alice)
    with pytest.raises(ToolError) as refused:
        _as(alice, deploy_dashboard, job_ids=[job.pk], space="ast-live")
    message = str(refused.value)
    assert "[hub_not_reachable]" in message and "192.168.1.20" in message
    assert "cannot reach that address" in message and "ngrok http 8000" in message
    assert not ShareToken.objects.exists()
    assert not [key for key in hf_hub.repos if key[0] == "space"]
