"""One real hub (uvicorn + workers, embedded SQLite) shared by every test that needs a
plain running hub (MCP, share links, the new-user browser test), started once per test
session: a start and stop costs 20-40 s on this machine. It has a small cast: alice (Pro,
every scope, plus a read-only token), bob (Pro), carol (Free), dave (Pro with a
3-requests-a-minute override) and erin (Free, for bad input only: she never has a job).
Tests that add accounts to it use e-mails of their own.

Registered in tests/conftest.py, so that there is one instance however many test files
use it (a fixture imported into each module would be one fixture per module).
"""

import json
from pathlib import Path

import pytest

from tests.live_hub import embedded_env, manage, running_hub

MAKE_CAST = """
import json
from accounts.services import sign_up, create_token
from billing.models import PlanOverride
from billing.services import change_plan
ALL = ["jobs:read", "jobs:write", "models:write", "billing:read"]
out = {}
users = {}
CAST = [("alice", "pro"), ("bob", "pro"), ("carol", "free"), ("dave", "pro"), ("erin", "free")]
for name, plan in CAST:
    users[name] = user = sign_up(email=f"{name}@example.com", password="a long passphrase 123")
    change_plan(user=user, plan=plan)
    token, raw = create_token(user=user, name="mcp", scopes=ALL)
    out[name] = raw
    out[name + "_token_id"] = token.pk
PlanOverride.objects.create(user=users["dave"], api_requests_per_minute=3)
out["alice_read"] = create_token(user=users["alice"], name="read", scopes=["jobs:read"])[1]
print(json.dumps(out))
"""


@pytest.fixture(scope="session")
def fake_hf():
    from tests.fakes.huggingface import FakeHuggingFace

    fake = FakeHuggingFace().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def shared_hub(tmp_path_factory, fake_hf):
    var_dir: Path = tmp_path_factory.mktemp("shared-hub")
    with running_hub(var_dir, HF_ENDPOINT=fake_hf.url) as running:
        env = embedded_env(var_dir)
        env["HF_ENDPOINT"] = fake_hf.url
        running["env"] = env
        running["hf"] = fake_hf
        running["cast"] = json.loads(manage(env, "shell", "-c", MAKE_CAST).strip().splitlines()[-1])
        yield running
