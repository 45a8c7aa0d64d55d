"""Development secrets generated once into files under the var folder.

The embedded hub must start with no environment at all, yet keys must survive restarts
(sessions, encrypted credentials). Production passes them through the environment.
"""

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet


def _new_secret(kind: str) -> str:
    if kind == "fernet":
        return Fernet.generate_key().decode()
    return secrets.token_urlsafe(50)


def load_or_create_secret(path: Path, kind: str = "token") -> str:
    """Return the secret stored at `path`, creating it (mode 0600) if it is missing.

    O_EXCL makes the first process win when web, worker and beat start together.
    """
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    value = _new_secret(kind)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value
