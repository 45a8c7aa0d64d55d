"""Production hardening: https-only settings that pass `check --deploy`, a
Content-Security-Policy on every page, private runtime files, and no secret in a log."""

import io
import json
import logging
import secrets
import sqlite3
import stat

import pytest

from asthub_site.log_redaction import RedactSecrets, install_on_server_handlers, redact
from asthub_site.private_files import private_sqlite_file
from tests.live_hub import embedded_env, manage

PRODUCTION_SETTINGS = """
import json
from django.conf import settings
from django.core.management import call_command
call_command("check", deploy=True, fail_level="WARNING")
print(json.dumps({name: getattr(settings, name, None) for name in (
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "DEBUG")}))
"""


def mode_of(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_production_settings_are_https_only_and_pass_check_deploy(tmp_path):
    env = embedded_env(
        tmp_path / "var",
        SECRET_KEY=secrets.token_urlsafe(50),
        PUBLIC_BASE_URL="https://hub.example.com",
        ALLOWED_HOSTS="hub.example.com",
        CSRF_TRUSTED_ORIGINS="https://hub.example.com",
    )
    env.pop("DEBUG", None)
    # call_command raises (and the shell exits non-zero) on any warning of check --deploy.
    derived = json.loads(manage(env, "shell", "-c", PRODUCTION_SETTINGS).strip().splitlines()[-1])
    assert derived == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "DEBUG": False,
    }
    # The var folder a fresh hub made is its user's alone, database included.
    assert mode_of(tmp_path / "var") == 0o700
    assert mode_of(tmp_path / "var" / "db.sqlite3") == 0o600


def test_https_hub_redirects_plain_http_and_sends_hsts_but_probes_stay_on_http(
    client, settings, db
):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    behind_proxy = client.get("/login/", HTTP_X_FORWARDED_PROTO="https")
    assert behind_proxy.status_code == 200
    assert behind_proxy["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/healthz").status_code in (200, 503)  # answered, not redirected


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/login/", "/signup/", "/leaderboard/", "/api/docs/"])
def test_pages_forbid_inline_scripts_and_foreign_origins(client, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    )
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "<script>" not in response.content.decode()  # every script is a file


def test_a_fresh_sqlite_database_and_its_wal_files_are_private(tmp_path):
    database = private_sqlite_file(tmp_path / "var" / "db.sqlite3")
    with sqlite3.connect(database) as connection:  # what Django and the broker do next
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
        companions = [database.with_name("db.sqlite3" + s) for s in ("-wal", "-shm")]
        assert all(path.exists() for path in companions)
        assert {path.name: mode_of(path) for path in [database, *companions]} == {
            "db.sqlite3": 0o600,
            "db.sqlite3-wal": 0o600,
            "db.sqlite3-shm": 0o600,
        }
    assert mode_of(tmp_path / "var") == 0o700


def test_files_an_older_hub_left_readable_are_narrowed_on_start(tmp_path):
    folder = tmp_path / "var"
    folder.mkdir(mode=0o755)
    for name in ("db.sqlite3", "db.sqlite3-wal", "db.sqlite3-shm"):
        (folder / name).write_bytes(b"")
        (folder / name).chmod(0o644)
    private_sqlite_file(folder / "db.sqlite3")
    assert mode_of(folder) == 0o700
    assert {mode_of(path) for path in folder.iterdir()} == {0o600}


def test_the_embedded_broker_database_is_private(tmp_path):
    from asthub_site.embedded_broker import connect

    connect(tmp_path / "broker" / "broker.sqlite3").close()
    assert mode_of(tmp_path / "broker") == 0o700
    assert mode_of(tmp_path / "broker" / "broker.sqlite3") == 0o600


SHARE = "asthub_share_" + "Ab3-_" * 9  # the shape of a real one: 43 URL-safe characters


def test_tokens_in_urls_are_redacted_in_log_lines():
    assert redact(f"GET /share/{SHARE}/ HTTP/1.1") == "GET /share/asthub_share_[redacted]/ HTTP/1.1"
    assert redact(f"/api/v1/shared/{SHARE}/") == "/api/v1/shared/asthub_share_[redacted]/"
    reset = "/password/reset/Mg/cq5x1b-8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f/"
    assert redact(reset) == "/password/reset/Mg/[redacted]/"
    assert redact("/password/reset/Mg/set-password/") == "/password/reset/Mg/set-password/"
    assert redact("asthub_site.settings loaded") == "asthub_site.settings loaded"


def test_uvicorns_access_log_never_writes_a_share_token():
    from uvicorn.config import LOGGING_CONFIG
    from uvicorn.logging import AccessFormatter

    # uvicorn's own access handler and format, as `uvicorn` sets them up before the app.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter(LOGGING_CONFIG["formatters"]["access"]["fmt"]))
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    level, access.level = access.level, logging.INFO
    try:
        install_on_server_handlers()
        install_on_server_handlers()  # idempotent: one filter per handler
        assert [type(f) for f in handler.filters] == [RedactSecrets]
        # The call uvicorn's protocol makes for each request.
        access.info(
            '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", f"/share/{SHARE}/", "1.1", 200
        )
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    line = stream.getvalue()
    assert '"GET /share/asthub_share_[redacted]/ HTTP/1.1" 200' in line
    assert SHARE not in line
