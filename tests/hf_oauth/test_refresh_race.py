"""Two workers refreshing one connection at once: the row lock (an IMMEDIATE transaction
on SQLite, SELECT ... FOR UPDATE on PostgreSQL) makes the second wait and reuse the first
one's tokens, so the rotated refresh token is spent once and its successor is kept.

The workers are separate processes on one file database, as Celery workers are (the
in-memory test database cannot be shared by concurrent writers)."""

import json
import subprocess
import sys
import time

import pytest

from tests.hf_oauth.conftest import CLIENT_ID, CLIENT_SECRET
from tests.live_hub import ROOT, embedded_env, manage, migrate

pytestmark = pytest.mark.slow

SETUP = """
import json, sys
from accounts.crypto import encrypt_secret
from accounts.models import PlatformCredential
from accounts.services import sign_up
tokens = json.loads(sys.argv[1])
user = sign_up(email="alice@example.com", password="a long passphrase 123")
PlatformCredential.objects.create(
    owner=user, provider="huggingface", kind="oauth", label="oauth", last_four="abcd",
    external_username="alice-hf", external_subject=tokens["sub"],
    ciphertext=encrypt_secret(owner_id=user.pk, secret={
        "token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
        "expires_at": tokens["expires_at"], "scope": tokens["scope"]}),
)
"""
WORKER = """
import sys, time
from accounts.models import User
from accounts.services import use_credential
user = User.objects.get(email="alice@example.com")
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))  # start together
print("TOKEN", use_credential(user=user, provider="huggingface")["token"])
"""
READ = """
from accounts.crypto import decrypt_secret
from accounts.models import PlatformCredential
c = PlatformCredential.objects.get()
print("SECRET", decrypt_secret(owner_id=c.owner_id, ciphertext=c.ciphertext)["refresh_token"])
"""


def test_concurrent_refreshes_spend_the_refresh_token_once(tmp_path, hf):
    user = hf.add_user("alice-hf")
    issued = hf._issue(sub=user.sub, scope="openid profile jobs", client_id=CLIENT_ID)
    # Four minutes left: both workers find it inside the refresh margin.
    issued |= {"sub": user.sub, "expires_at": int(time.time()) + 240}
    env = embedded_env(
        tmp_path,
        HF_OAUTH_ISSUER=hf.issuer,
        HF_OAUTH_CLIENT_ID=CLIENT_ID,
        HF_OAUTH_CLIENT_SECRET=CLIENT_SECRET,
    )
    migrate(env, tmp_path)
    subprocess.run(
        [sys.executable, "-c", _script(SETUP), json.dumps(issued)],
        cwd=ROOT, env=env, check=True, timeout=120,
    )  # fmt: skip
    hf.slow("token", 1.0)  # the first refresh is still in flight when the second arrives
    start_at = str(time.time() + 6)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", _script(WORKER), start_at],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
    tokens = {line.split()[1] for out, _ in outputs for line in out.splitlines() if "TOKEN" in line}
    assert hf.count("token", "refresh_token") == 1
    assert len(tokens) == 1 and hf.token_is_valid(tokens.pop())
    stored = manage(env, "shell", "-c", READ).split("SECRET ")[1].strip()
    assert stored in hf.refresh_tokens  # the successor, alive at the provider
    assert issued["refresh_token"] not in hf.refresh_tokens


def _script(body: str) -> str:
    return "import django, os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', " \
        "'asthub_site.settings')\ndjango.setup()\n" + body  # fmt: skip
