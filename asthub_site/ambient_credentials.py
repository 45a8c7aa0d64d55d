"""Refuse to serve while platform credentials sit in the hub's own environment.

kagglesdk falls back to `KAGGLE_API_TOKEN` / `~/.kaggle/` and huggingface_hub to
`HF_TOKEN` / its token file whenever a call is made without a token. A server holding
such a credential would silently run one tenant's work on the operator's account, so the
web process and the workers refuse to start instead.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

AMBIENT_ENV_VARS = (
    "KAGGLE_API_TOKEN",
    "KAGGLE_USERNAME",
    "KAGGLE_KEY",
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
)


def _kaggle_files() -> list[Path]:
    folders = [Path.home() / ".kaggle"]
    if os.environ.get("KAGGLE_CONFIG_DIR"):
        folders.append(Path(os.environ["KAGGLE_CONFIG_DIR"]))
    names = ("kaggle.json", "access_token", "access_token.txt")
    return [folder / name for folder in folders for name in names]


def _hf_token_files() -> list[Path]:
    home = Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"))
    files = [home / "token"]
    if os.environ.get("HF_TOKEN_PATH"):
        files.append(Path(os.environ["HF_TOKEN_PATH"]))
    return files


def ambient_platform_credentials() -> list[str]:
    """Where a platform credential was found in this process's environment."""
    found = [f"${name}" for name in AMBIENT_ENV_VARS if os.environ.get(name)]
    found += [str(path) for path in _kaggle_files() + _hf_token_files() if path.exists()]
    return found


def refuse_ambient_platform_credentials() -> None:
    found = ambient_platform_credentials()
    if found:
        raise ImproperlyConfigured(
            "Refusing to start: platform credentials found in the hub's own environment "
            f"({', '.join(found)}). Client libraries would use them for any user whose own "
            "credential is missing. Remove them; users connect their own accounts."
        )
