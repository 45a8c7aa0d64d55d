"""Where the CLI and SDK find the hub's URL and the API token.

Order: explicit arguments, then ASTHUB_URL / ASTHUB_TOKEN, then the config file
($ASTHUB_CONFIG or ~/.config/asthub/config.json), then the local default URL.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Settings:
    url: str
    token: str | None
    # False when the URL is only DEFAULT_URL because nothing named one: the CLI then
    # points at `asthub login` instead of failing to reach a hub nobody configured.
    url_configured: bool = True


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get("ASTHUB_CONFIG"):
        return Path(env["ASTHUB_CONFIG"]).expanduser()
    return Path.home() / ".config" / "asthub" / "config.json"


def load_config_file(path: Path) -> dict[str, str]:
    """The saved settings, or {} when there is no file; a damaged file counts as none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: value for key, value in data.items() if isinstance(value, str) and value}


def resolve_settings(
    url: str | None = None, token: str | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    env = os.environ if env is None else env
    saved = load_config_file(config_path(env))
    configured_url = url or env.get("ASTHUB_URL") or saved.get("url")
    resolved_token = token or env.get("ASTHUB_TOKEN") or saved.get("token")
    return Settings(
        url=(configured_url or DEFAULT_URL).rstrip("/"),
        token=resolved_token or None,
        url_configured=bool(configured_url),
    )


def save_config(url: str, token: str, path: Path) -> None:
    """Write the file readable by its owner only; it holds a secret.

    The file is written under a temporary name created with mode 0600 and renamed, so no
    reader ever sees a half-written file or a moment where the token is world-readable.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    payload = json.dumps({"url": url.rstrip("/"), "token": token}, indent=2) + "\n"
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
