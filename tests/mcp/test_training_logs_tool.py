"""get_training_logs: the last lines of the caller's run; another tenant's run is unknown."""

import asyncio

import pytest
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.mcpserver.exceptions import ToolError

from jobs import services
from jobs.models import JobStatus, TrainingJob
from jobs.platforms.local.folders import LOG_FILE, job_dir
from jobs.spec import JobSpec
from mcp_gateway.server import build_server
from mcp_gateway.tools.training import get_training_logs

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("mcp_db_threads_closed"),
]


def _as(user, coro_fn):
    async def go():
        token = AccessToken(token="t", client_id="t", scopes=["jobs:read"], subject=str(user.pk))
        reset = auth_context_var.set(AuthenticatedUser(token))
        try:
            return await coro_fn()
        finally:
            auth_context_var.reset(reset)

    return asyncio.run(go())


def test_get_training_logs_answers_the_tail_of_the_callers_run_only(alice, bob, settings, tmp_path):
    settings.LOCAL_JOBS_DIR = tmp_path
    job = services.start_training(
        user=alice, spec=JobSpec.from_dict({"dataset": "digits", "model": "mlp", "epochs": 1})
    )
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED)
    job_dir(job.pk).mkdir(parents=True)
    (job_dir(job.pk) / LOG_FILE).write_text("loading digits\nepoch 1\nerror: out of memory\n")

    answer = _as(alice, lambda: get_training_logs(job_id=job.pk, tail=2))
    assert answer.lines == ["epoch 1", "error: out of memory"]
    assert (answer.complete, answer.source, answer.job_id) == (True, "engine", job.pk)

    with pytest.raises(ToolError, match=f"No training job {job.pk}"):
        _as(bob, lambda: get_training_logs(job_id=job.pk))


def test_the_tool_is_registered_read_only_with_a_bounded_tail():
    tool = build_server()._tool_manager.get_tool("get_training_logs")
    assert tool.annotations.read_only_hint is True
    tail = tool.parameters["properties"]["tail"]
    assert (tail["minimum"], tail["maximum"], tail["default"]) == (1, 2000, 200)
