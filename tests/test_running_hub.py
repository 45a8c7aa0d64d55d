"""`make run`'s hub as a new user meets it: one process tree, embedded defaults, Ctrl-C."""

import json
import re
import signal
import urllib.request

import pytest

from tests.live_hub import running_hub

pytestmark = pytest.mark.slow


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_hub_serves_api_portal_and_static_then_stops_cleanly_on_ctrl_c(tmp_path):
    with running_hub(tmp_path) as hub:
        banner, base = hub["banner"], hub["base_url"]
        token = re.search(r"API token\s+: (asthub_\S+)", banner).group(1)
        assert re.search(r"password\s+: \S+", banner)
        assert f"claude mcp add --transport http asthub {base}/mcp" in banner
        status, body = _get(f"{base}/api/v1/me", token)
        assert status == 200 and json.loads(body)["email"] == "demo@asthub.local"
        assert _get(f"{base}/api/v1/me")[0] == 401
        assert _get(f"{base}/login/")[0] == 200
        assert _get(f"{base}/static/asthub/style.css")[0] == 200
        assert _get(f"{base}/static/admin/css/base.css")[0] == 200
        process = hub["process"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        log = hub["log"].read_text()
        assert "started web" in log and "started worker" in log and "started beat" in log
        assert "AST Training Hub stopped." in log
    assert (tmp_path / "db.sqlite3").exists()
    assert (tmp_path / "credential_keys").stat().st_mode & 0o077 == 0


def test_restart_keeps_the_account_and_replaces_the_banner_token(tmp_path):
    with running_hub(tmp_path) as first:
        old_token = re.search(r"API token\s+: (asthub_\S+)", first["banner"]).group(1)
    with running_hub(tmp_path) as second:
        new_token = re.search(r"API token\s+: (asthub_\S+)", second["banner"]).group(1)
        assert "set on first start" in second["banner"]
        assert _get(f"{second['base_url']}/api/v1/me", new_token)[0] == 200
        assert _get(f"{second['base_url']}/api/v1/me", old_token)[0] == 401
