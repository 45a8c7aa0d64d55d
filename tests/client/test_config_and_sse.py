"""Settings resolution, the config file, and the SSE parser."""

import json
import os
import stat

from asthub_client.config import DEFAULT_URL, config_path, resolve_settings, save_config
from asthub_client.sse import HEARTBEAT, parse_sse


def test_explicit_arguments_beat_environment_and_file():
    save_config("http://file:1", "asthub_file", config_path())
    env = {**os.environ, "ASTHUB_URL": "http://env:2", "ASTHUB_TOKEN": "asthub_env"}

    settings = resolve_settings("http://arg:3/", "asthub_arg", env=env)

    assert (settings.url, settings.token) == ("http://arg:3", "asthub_arg")


def test_environment_beats_the_config_file():
    save_config("http://file:1", "asthub_file", config_path())
    env = {**os.environ, "ASTHUB_URL": "http://env:2", "ASTHUB_TOKEN": "asthub_env"}

    assert resolve_settings(env=env) == resolve_settings("http://env:2", "asthub_env")


def test_config_file_fills_in_when_nothing_else_is_set():
    save_config("http://file:1", "asthub_file", config_path())

    settings = resolve_settings()

    assert (settings.url, settings.token) == ("http://file:1", "asthub_file")


def test_default_url_and_no_token_without_any_settings():
    settings = resolve_settings()

    assert (settings.url, settings.token) == (DEFAULT_URL, None)


def test_damaged_config_file_is_ignored():
    path = config_path()
    path.parent.mkdir(parents=True)
    path.write_text("{not json")

    assert resolve_settings().url == DEFAULT_URL


def test_saving_over_a_world_readable_file_makes_it_owner_only(tmp_path):
    path = tmp_path / "config.json"
    path.write_text("{}")
    path.chmod(0o644)

    save_config("http://hub", "asthub_secret", path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["token"] == "asthub_secret"


def test_sse_joins_multi_line_data_and_reports_keepalives():
    lines = [
        ": keepalive",
        "event: metric",
        'data: {"epoch": 1,',
        'data:  "val_accuracy": 0.9}',
        "",
        "data: not json",
        "",
    ]

    events = list(parse_sse(lines))

    assert events[0] is HEARTBEAT
    assert (events[1].kind, events[1].data) == ("metric", {"epoch": 1, "val_accuracy": 0.9})
    assert (events[2].kind, events[2].data) == ("message", {"text": "not json"})
