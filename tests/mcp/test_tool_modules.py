"""The tools live in one module per area, each a plain function that can be imported and
called on its own, and `TOOLS` is what the server registers."""

import asyncio
import importlib
import pkgutil

import pytest
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken

import mcp_gateway.tools
from jobs import services
from jobs.spec import JobSpec
from mcp_gateway.server import build_server
from mcp_gateway.tools import TOOLS
from mcp_gateway.tools.training import list_jobs, monitor_training

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("mcp_db_threads_closed"),
]


def _area_modules():
    for info in pkgutil.iter_modules(mcp_gateway.tools.__path__):
        yield importlib.import_module(f"mcp_gateway.tools.{info.name}")


def test_every_area_module_lists_its_tools_and_tools_holds_them_all_once():
    declared = [
        value
        for module in _area_modules()
        for value in vars(module).values()
        if callable(value) and hasattr(value, "hub_tool") and value.__module__ == module.__name__
    ]
    assert declared, "no tool found in mcp_gateway.tools"
    assert sorted(fn.__name__ for fn in declared) == sorted(fn.__name__ for fn in TOOLS)
    assert len({fn.__name__ for fn in TOOLS}) == len(TOOLS)
    for module in _area_modules():
        assert set(module.TOOLS) == {fn for fn in declared if fn.__module__ == module.__name__}, (
            module.__name__
        )


def test_the_server_registers_exactly_the_listed_tools_with_their_scopes():
    server = build_server()
    registered = {tool.name: tool for tool in server._tool_manager.list_tools()}
    assert set(registered) == {fn.__name__ for fn in TOOLS}
    from mcp_gateway.scopes import TOOL_SCOPES

    for fn in TOOLS:
        assert TOOL_SCOPES[fn.__name__] == fn.hub_tool.scope
        assert registered[fn.__name__].title == fn.hub_tool.title


class _NoProgress:
    async def report_progress(self, *args, **kwargs):
        raise AssertionError("an answer-now call sends no progress")


def _as_token_of(user, scopes=("jobs:read", "jobs:write")):
    token = AccessToken(token="test", client_id="test", scopes=list(scopes), subject=str(user.pk))
    return auth_context_var.set(AuthenticatedUser(token))


def test_a_tool_is_a_plain_function_called_as_the_tokens_user(alice, bob):
    mine = services.start_training(
        user=alice, spec=JobSpec.from_dict({"dataset": "digits", "model": "mlp", "epochs": 1})
    )
    services.start_training(
        user=bob, spec=JobSpec.from_dict({"dataset": "digits", "model": "mlp", "epochs": 1})
    )

    async def call():
        reset = _as_token_of(alice)
        try:
            listed = await list_jobs()
            progress = await monitor_training(job_id=mine.pk, ctx=_NoProgress())
            return listed, progress
        finally:
            auth_context_var.reset(reset)

    listed, progress = asyncio.run(call())
    assert [job.job_id for job in listed.jobs] == [mine.pk]
    assert (progress.job_id, progress.epoch, progress.finished) == (mine.pk, 0, False)
    assert progress.val_accuracy is None and progress.waited_seconds == 0
